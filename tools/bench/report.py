#!/usr/bin/env python3
"""Turns one bench run's JSON files into the table: figures, ratios to the
machine's limits measured in the same run, and whether each target was met.
Writes results.json, results.md and latency.png (gnuplot) beside them.

   report.py OUT_DIR              the report
   report.py --sustained FILE     exit 0 when a capacity step held: the lag
                                  stayed flat and accepted->settled p99 <= 1 s
"""
import glob
import json
import os
import platform
import subprocess
import sys


def load(path):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def get(d, *keys, default=0.0):
    for key in keys:
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return d


def sustained(step):
    """Whether a capacity step held, and why not."""
    rate = get(step, "target_rate")
    accepted = get(step, "throughput")
    settled = get(step, "e2e", "settlement", "count")
    p99 = get(step, "e2e", "settlement", "p99_ms")
    lag = max((v for v in get(step, "lag_after_load", default={}).values()), default=-1)
    # Flat lag: at the end of the load no group is more than about a second
    # of records behind (each order puts about two records on its topics).
    checks = [
        (get(step, "skipped_behind") == 0, "orders were not sent: calls backed up"),
        (accepted >= 0.97 * rate, f"accepted {accepted:.0f}/s of {rate:.0f}/s"),
        (settled >= get(step, "ok"), f"{settled:.0f} of {get(step, 'ok'):.0f} orders settled"),
        (0 <= lag <= 2 * rate, f"lag after the load {lag}"),
        (0 < p99 <= 1000, f"settled p99 {p99:.0f} ms"),
    ]
    failed = [why for ok, why in checks if not ok]
    return not failed, failed


if len(sys.argv) == 3 and sys.argv[1] == "--sustained":
    held, failed = sustained(load(sys.argv[2]))
    print("[bench]   held" if held else "[bench]   not sustained: " + "; ".join(failed))
    sys.exit(0 if held else 1)

out = sys.argv[1]
a = load(os.path.join(out, "a_grpc.json"))
b = load(os.path.join(out, "b_storage.json"))
c = load(os.path.join(out, "c_kafka.json"))
d1 = load(os.path.join(out, "d1_place.json"))
d3 = load(os.path.join(out, "d3_tenth.json"))
alone = load(os.path.join(out, "d1_alone.json"))
down = load(os.path.join(out, "e_delivery_down.json"))
catchup = load(os.path.join(out, "e_catchup.json"))
ghz = load(os.path.join(out, "ghz.json"))
relay = load(os.path.join(out, "relay_vs_debezium.json"))
coupons = load(os.path.join(out, "g_coupons.json"))


def ratio(x, y):
    return f"{x / y:.2f}x" if y else "n/a"


def errors(d):
    codes = d.get("codes", {})
    total = sum(codes.values())
    bad = sum(v for k, v in codes.items() if k != "0")
    return bad / total if total else 0.0


grpc_qps = get(a, "throughput")
storage_rate = get(b, "rate")
kafka_rate = get(c, "rate")
place_rate = get(d1, "throughput")
place_p99 = get(d1, "call_latency", "p99_ms")
ghz_rps = get(ghz, "rps")
ghz_p99 = 0.0
for entry in ghz.get("latencyDistribution") or []:
    if entry.get("percentage") == 99:
        ghz_p99 = entry.get("latency", 0) / 1e6

# Capacity: the highest step that held, with one instance of each service
# (capacity/) and with two (capacity2/).
def capacity_of(directory):
    steps = []
    for path in glob.glob(os.path.join(out, directory, "*.json")):
        step = load(path)
        held, failed = sustained(step)
        cpu_file = path[:-len(".json")] + ".cpu"
        if os.path.exists(cpu_file) and get(step, "ok"):
            with open(cpu_file) as f:
                step["cpu_ms_per_order"] = float(f.read()) / get(step, "ok") * 1000
        steps.append((get(step, "target_rate"), held, failed, step))
    steps.sort(key=lambda s: s[0])
    result = {"orders_per_s": 0, "settled_p99_ms": 0, "steps": []}
    for rate, held, failed, step in steps:
        result["steps"].append({"offered_per_s": rate, "held": held, "why_not": failed,
                                "accepted_per_s": get(step, "throughput"),
                                "settled_p99_ms": get(step, "e2e", "settlement", "p99_ms"),
                                "lag_after_load": get(step, "lag_after_load", default={}),
                                "cpu_ms_per_order": get(step, "cpu_ms_per_order")})
        if held and rate > result["orders_per_s"]:
            result["orders_per_s"] = rate
            result["settled_p99_ms"] = get(step, "e2e", "settlement", "p99_ms")
    return result


capacity = capacity_of("capacity")
capacity_two = capacity_of("capacity2")

# CPU per order: every process, from the first order of a run (d1, d3)
# until the last one settled.
def cpu_profile(run, orders):
    cpu = {"total": 0.0}
    cpu_file = os.path.join(out, f"{run}_cpu.txt")
    if not os.path.exists(cpu_file):
        return cpu
    with open(cpu_file) as f:
        lines = dict(line.split(" ", 1) for line in f.read().strip().splitlines())
    before = dict(item.split("=") for item in lines.get("before", "").split())
    after = dict(item.split("=") for item in lines.get("after", "").split())
    for name in after:
        cpu[name] = (float(after[name]) - float(before.get(name, 0))) / (orders or 1) * 1000
        cpu["total"] += cpu[name]
    return cpu


# MariaDB's work per order during a run: statements (prepared executions and
# text queries), commits, log fsyncs.
def db_profile(run, orders):
    db_before, db_after = (os.path.join(out, f"{run}_db_{w}.txt") for w in ("before", "after"))
    if not (os.path.exists(db_before) and os.path.exists(db_after)):
        return {}

    def counters(path):
        with open(path) as f:
            return {k: float(v) for k, v in (line.split() for line in f if line.strip())}
    first, last = counters(db_before), counters(db_after)
    return {k: (last[k] - first.get(k, 0)) / (orders or 1) for k in last}


cpu, db = cpu_profile("d1", get(d1, "ok")), db_profile("d1", get(d1, "ok"))
cpu_tenth, db_tenth = cpu_profile("d3", get(d3, "ok")), db_profile("d3", get(d3, "ok"))
cpu_alone = cpu_profile("d1_alone", get(alone, "ok"))

tenth_p99 = get(d3, "e2e", "settlement", "p99_ms")


# Accepted->settled against the offered rate (d3 and the curve's runs at
# lower rates), with what an order cost at each: where the latency target
# holds, and how busy the machine is when batches are small.
def curve_point(run, data, factor):
    orders = get(data, "ok")
    cpu_run, db_run = cpu_profile(run, orders), db_profile(run, orders)
    return {"factor": factor, "offered_per_s": get(data, "target_rate"),
            "accepted_per_s": get(data, "throughput"),
            "settled_p50_ms": get(data, "e2e", "settlement", "p50_ms"),
            "settled_p99_ms": get(data, "e2e", "settlement", "p99_ms"),
            "cpu_ms_per_order": cpu_run, "cores_busy": cpu_run["total"] * get(data, "throughput") / 1000,
            "statements_per_order": db_run.get("Questions", 0.0),
            "commits_per_order": db_run.get("Com_commit", 0.0)}


latency_curve = []
for path in glob.glob(os.path.join(out, "d3_at_*x.json")):
    run = os.path.basename(path)[:-len(".json")]
    latency_curve.append(curve_point(run, load(path), float(run[len("d3_at_"):-1])))
if d3:
    latency_curve.append(curve_point("d3", d3, 0.1))
latency_curve.sort(key=lambda point: point["factor"])
# (target, met, figure, measured in this run); a phase left out by
# BENCH_PHASES is "not run", not a miss.
targets = [
    ("sustained end-to-end capacity >= 0.25x the storage limit",
     capacity["orders_per_s"] >= 0.25 * storage_rate > 0,
     f"{capacity['orders_per_s']:.0f}/s = {ratio(capacity['orders_per_s'], storage_rate)}, "
     f"settled p99 {capacity['settled_p99_ms']:.0f} ms", bool(capacity["steps"])),
    ("PlaceOrder, closed loop, downstream consuming: >= 0.5x the storage limit, p99 <= 20 ms",
     place_rate >= 0.5 * storage_rate > 0 and 0 < place_p99 <= 20,
     f"{place_rate:.0f}/s = {ratio(place_rate, storage_rate)}, p99 {place_p99:.1f} ms", bool(d1)),
    ("accepted->settled p99 <= 50 ms at 0.1x the storage limit", 0 < tenth_p99 <= 50,
     f"{tenth_p99:.1f} ms at {get(d3, 'throughput'):.0f}/s", bool(d3)),
    ("CPU per order, all processes <= 1.5 ms", 0 < cpu["total"] <= 1.5,
     f"{cpu['total']:.2f} ms", len(cpu) > 1),
]

rows = [
    ("a. gRPC hello world (health check)", f"{grpc_qps:.0f} calls/s",
     f"p99 {get(a, 'call_latency', 'p99_ms'):.2f} ms", "baseline", a),
    ("b. MariaDB order+outbox transaction (the storage limit)", f"{storage_rate:.0f} tx/s",
     f"p99 {get(b, 'p99_ms'):.2f} ms", "baseline", b),
    ("c. librdkafka raw produce", f"{kafka_rate:.0f} records/s", "", "baseline", c),
    ("d1. PlaceOrder (loadgen, closed loop)", f"{place_rate:.0f} orders/s",
     f"p50 {get(d1, 'call_latency', 'p50_ms'):.1f} / p99 {place_p99:.1f} ms",
     f"{ratio(place_rate, grpc_qps)} of a, {ratio(place_rate, storage_rate)} of b", d1),
    ("d1. PlaceOrder alone (the order relay off: nothing downstream)",
     f"{get(alone, 'throughput'):.0f} orders/s",
     f"p50 {get(alone, 'call_latency', 'p50_ms'):.1f} / p99 {get(alone, 'call_latency', 'p99_ms'):.1f} ms, "
     f"CPU per order {cpu_alone['total']:.2f} ms",
     f"{ratio(get(alone, 'throughput'), storage_rate)} of b (d1: {ratio(place_rate, get(alone, 'throughput'))} "
     "of this)", alone),
    ("d1. same load through ghz", f"{ghz_rps:.0f} orders/s", f"p99 {ghz_p99:.1f} ms",
     f"{ratio(ghz_rps, place_rate)} of loadgen", ghz),
    ("d2. sustained end-to-end capacity", f"{capacity['orders_per_s']:.0f} orders/s",
     f"settled p99 {capacity['settled_p99_ms']:.0f} ms",
     f"{ratio(capacity['orders_per_s'], storage_rate)} of b", capacity["steps"]),
    ("d2. the same with two instances of each service", f"{capacity_two['orders_per_s']:.0f} orders/s",
     f"settled p99 {capacity_two['settled_p99_ms']:.0f} ms",
     f"{ratio(capacity_two['orders_per_s'], capacity['orders_per_s'])} of one instance",
     capacity_two["steps"]),
    ("d3. end to end at 0.1x of b", f"{get(d3, 'throughput'):.0f} orders/s",
     f"->completed p99 {get(d3, 'e2e', 'completed', 'p99_ms'):.1f} ms; ->settled p50 "
     f"{get(d3, 'e2e', 'settlement', 'p50_ms'):.1f} / p99 {tenth_p99:.1f} ms", "", d3),
    ("e. PlaceOrder with delivery stopped", f"{get(down, 'throughput'):.0f} orders/s",
     f"p99 {get(down, 'call_latency', 'p99_ms'):.1f} ms, errors {errors(down):.1%}",
     f"{ratio(get(down, 'throughput'), place_rate)} of d1 (errors in d1: {errors(d1):.1%})", down),
    ("e. delivery catching up after restart", f"{get(catchup, 'initial_lag', default=0)} records",
     f"{get(catchup, 'seconds'):.1f} s", "", catchup),
]

def step_row(s):
    cpu_ms = f"{s['cpu_ms_per_order']:.2f} ms" if s["cpu_ms_per_order"] else ""
    return (f"| {s['offered_per_s']:.0f}/s | {s['accepted_per_s']:.0f}/s | {s['settled_p99_ms']:.0f} ms | "
            f"{cpu_ms} | {'yes' if s['held'] else 'no: ' + '; '.join(s['why_not'])} |")


machine = f"{os.cpu_count()} cores, {platform.machine()}, {platform.platform()}"
md = [f"Machine: {machine}", "", "| measurement | rate | latency | ratio |", "| --- | --- | --- | --- |"]
md += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" if r[4] else f"| {r[0]} | not run | | |"
       for r in rows]
if capacity["steps"]:
    md += ["", "Capacity steps (offered rate; held = lag flat and settled p99 <= 1 s):", "",
           "| offered | accepted | settled p99 | CPU per order | held |", "| --- | --- | --- | --- | --- |"]
    md += [step_row(s) for s in capacity["steps"]]
if capacity_two["steps"]:
    md += ["", "Capacity steps with two instances of each service:", "",
           "| offered | accepted | settled p99 | CPU per order | held |", "| --- | --- | --- | --- | --- |"]
    md += [step_row(s) for s in capacity_two["steps"]]
for run, words in ((d1, "d1, closed loop"), (d3, "d3, at 0.1x the storage limit")):
    if run and run.get("hops"):
        md += ["", f"Where a settled order's time goes during {words}, hop by hop (ms; a relay's hop is "
               "its service's COMMIT and the relay, from the event's ce_time to the record's timestamp; a "
               "consumer's is the broker, the fetch, the batch and the handler; accepted->settled is the "
               "sum of the hops less the first line):", "",
               "| hop | p50 | p90 | p99 |", "| --- | --- | --- | --- |"]
        md += [f"| {h['hop']} | {h['latency']['p50_ms']:.1f} | {h['latency']['p90_ms']:.1f} | "
               f"{h['latency']['p99_ms']:.1f} |" for h in run["hops"]]
for run, profile, words in ((cpu, db, "d1, until every order settled"),
                            (cpu_alone, {}, "d1 alone (nothing downstream), during the load"),
                            (cpu_tenth, db_tenth, "d3, at 0.1x the storage limit, until every order settled")):
    if len(run) > 1:
        md += ["", f"CPU per order during {words} (ms of CPU per order):", "",
               "| process | ms per order |", "| --- | --- |"]
        md += [f"| {name} | {ms:.3f} |" for name, ms in run.items() if name != "total"]
        md += [f"| **total** | **{run['total']:.3f}** |"]
    if profile:
        md += ["", f"MariaDB's work per order during {words} (SHOW GLOBAL STATUS deltas / orders):", "",
               "| counter | per order |", "| --- | --- |"]
        md += [f"| {k} | {v:.2f} |" for k, v in sorted(profile.items())]
if len(latency_curve) > 1:
    md += ["", "Accepted->settled against the offered rate (open loop; CPU of every process per order, "
           "and the cores that makes at that rate, until every order settled):", "",
           "| offered | accepted | settled p50 | settled p99 | CPU per order | cores busy | "
           "statements / commits per order |", "| --- | --- | --- | --- | --- | --- | --- |"]
    md += [f"| {p['factor']}x = {p['offered_per_s']:.0f}/s | {p['accepted_per_s']:.0f}/s | "
           f"{p['settled_p50_ms']:.1f} ms | {p['settled_p99_ms']:.1f} ms | "
           f"{p['cpu_ms_per_order']['total']:.2f} ms | {p['cores_busy']:.2f} | "
           f"{p['statements_per_order']:.1f} / {p['commits_per_order']:.2f} |" for p in latency_curve]
if relay:
    md += ["", "Our outbox relay against Debezium, same outbox table, same MariaDB, same run:", "",
           "| relay | events/s | commit->consume p50 | p99 |", "| --- | --- | --- | --- |"]
    for name in ("ours", "debezium"):
        r = relay.get(name, {})
        md += [f"| {name} | {get(r, 'events_per_s'):.0f} | {get(r, 'p50_ms'):.1f} ms | "
               f"{get(r, 'p99_ms'):.1f} ms |"]
if coupons:
    storage_rate = get(b, "rate")
    md += ["", "Coupon issuance (one campaign; every request a new customer):", "",
           "| measure | figure | ratio to storage |", "| --- | --- | --- |",
           f"| IssueCoupon accepted, closed loop | {get(coupons, 'accepted_per_s'):.0f}/s "
           f"(p99 {get(coupons, 'accept_p99_ms'):.1f} ms) | "
           f"{ratio(get(coupons, 'accepted_per_s'), storage_rate)} |",
           f"| requests decided, first request to last decision | "
           f"{get(coupons, 'decided_per_s'):.0f}/s ({get(coupons, 'decided'):.0f} in "
           f"{get(coupons, 'decided_after_s'):.1f} s) | "
           f"{ratio(get(coupons, 'decided_per_s'), storage_rate)} |"]
md += ["", "| target | met | figure |", "| --- | --- | --- |"]
md += [f"| {t[0]} | {'yes' if t[1] else 'NO'} | {t[2]} |" if t[3] else f"| {t[0]} | not run | |"
       for t in targets]
text = "\n".join(md) + "\n"
with open(os.path.join(out, "results.md"), "w") as f:
    f.write(text)
with open(os.path.join(out, "results.json"), "w") as f:
    json.dump({"machine": machine, "grpc": a, "storage": b, "kafka": c, "place": d1,
               "capacity": capacity, "capacity_two_instances": capacity_two,
               "cpu_ms_per_order": cpu, "mariadb_per_order": db, "e2e_tenth": d3,
               "cpu_ms_per_order_tenth": cpu_tenth, "mariadb_per_order_tenth": db_tenth,
               "latency_curve": latency_curve,
               "place_alone": alone, "cpu_ms_per_order_alone": cpu_alone,
               "ghz_rps": ghz_rps, "ghz_p99_ms": ghz_p99, "delivery_down": down,
               "catchup": catchup, "relay_vs_debezium": relay, "coupons": coupons,
               "targets": [{"target": t[0], "met": t[1], "figure": t[2]} if t[3] else
                           {"target": t[0], "met": None, "figure": "not run"} for t in targets]},
              f, indent=2)
print(text)

plot = os.path.join(out, "latency.png")
script = f"""
set terminal png size 1000,500
set output '{plot}'
set datafile separator ','
set title 'Latency over time (p99 per second)'
set xlabel 'seconds into the run'
set ylabel 'ms'
set logscale y
set key outside
plot '{out}/d1_timeline.csv' using 1:2 skip 1 with lines title 'PlaceOrder, closed loop', \\
     '{out}/d1_timeline.csv' using 1:3 skip 1 with lines title 'accepted->completed, closed loop', \\
     '{out}/d3_timeline.csv' using 1:3 skip 1 with lines title 'accepted->completed, 0.1x storage'
"""
if os.path.exists(os.path.join(out, "d1_timeline.csv")) and os.path.exists(
        os.path.join(out, "d3_timeline.csv")):
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
        print(f"plot: {plot}")
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"no plot: {error}")
print(f"results: {out}/results.md, results.json")
