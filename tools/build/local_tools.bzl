"""Tools that `tools/dev setup` fetches into .cache/bin, as Bazel targets.

Each target is a small wrapper script that runs the fetched binary, or fails
with a clear message when setup has not run, so loading never fails.
"""

_TOOLS = ["buf", "grpcurl"]

def _local_tools_impl(ctx):
    root = str(ctx.path(Label("//:WORKSPACE")).dirname)
    build = ["package(default_visibility = [\"//visibility:public\"])", ""]
    for tool in _TOOLS:
        path = root + "/.cache/bin/" + tool
        ctx.file(tool + ".sh", "\n".join([
            "#!/bin/sh",
            "if [ ! -x '{}' ]; then".format(path),
            "  echo '{} is missing: run tools/dev setup' >&2".format(path),
            "  exit 127",
            "fi",
            "exec '{}' \"$@\"".format(path),
            "",
        ]), executable = True)
        build.append("sh_binary(name = \"{0}\", srcs = [\"{0}.sh\"])".format(tool))
    ctx.file("WORKSPACE", "workspace(name = {})\n".format(repr(ctx.name)))
    ctx.file("BUILD", "\n".join(build) + "\n")

local_tools = repository_rule(
    implementation = _local_tools_impl,
    local = True,
)
