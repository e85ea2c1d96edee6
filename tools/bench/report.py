#!/usr/bin/env python3
"""Turns one bench run's JSON files into the table: figures, ratios to the
machine's limits measured in the same run, and whether each target was met.
Writes results.json, results.md and latency.png (gnuplot) beside them."""
import json
import os
import platform
import subprocess
import sys

out = sys.argv[1]


def load(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


a = load("a_grpc.json")
b = load("b_storage.json")
c = load("c_kafka.json")
d1 = load("d1_place.json")
d2 = load("d2_sustained.json")
d3 = load("d3_300.json")
d4 = load("d4_100.json")
down = load("e_delivery_down.json")
catchup = load("e_catchup.json")
ghz = load("ghz.json")


def get(d, *keys, default=0.0):
    for key in keys:
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return d


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
sustained_target = get(d2, "target_rate")
sustained_accepted = get(d2, "throughput")
sustained_e2e_p99 = get(d2, "e2e", "settlement", "p99_ms")
sustained_lag = sum(get(d2, "lag_at_end").values()) if get(d2, "lag_at_end") else -1
e2e300_p99 = get(d3, "e2e", "completed", "p99_ms")
e2e300_settled_p99 = get(d3, "e2e", "settlement", "p99_ms")
ghz_rps = get(ghz, "rps")
ghz_p99 = 0.0
for entry in ghz.get("latencyDistribution") or []:
    if entry.get("percentage") == 99:
        ghz_p99 = entry.get("latency", 0) / 1e6

sustained_flat = (get(d2, "skipped_behind") == 0 and sustained_accepted >= 0.95 * sustained_target
                  and sustained_lag == 0 and sustained_e2e_p99 < 1000)
targets = [
    ("PlaceOrder >= 3000 orders/s with p99 <= 10 ms", place_rate >= 3000 and place_p99 <= 10,
     f"{place_rate:.0f}/s, p99 {place_p99:.1f} ms"),
    (f"End to end >= 1500 orders/s sustained, flat lag", sustained_flat and sustained_target >= 1500,
     f"{sustained_accepted:.0f}/s accepted of {sustained_target:.0f}/s; settled p99 "
     f"{sustained_e2e_p99:.0f} ms; lag at end {sustained_lag}"),
    ("End-to-end p99 <= 50 ms at 300 orders/s", 0 < e2e300_p99 <= 50,
     f"accepted->completed p99 {e2e300_p99:.1f} ms (->settled {e2e300_settled_p99:.1f} ms)"),
]

rows = [
    ("a. gRPC hello world (health check)", f"{grpc_qps:.0f} calls/s",
     f"p99 {get(a, 'call_latency', 'p99_ms'):.2f} ms", "baseline"),
    ("b. MariaDB order+outbox transaction", f"{storage_rate:.0f} tx/s",
     f"p99 {get(b, 'p99_ms'):.2f} ms", "baseline"),
    ("c. librdkafka raw produce", f"{kafka_rate:.0f} records/s", "", "baseline"),
    ("d1. PlaceOrder (loadgen, closed loop)", f"{place_rate:.0f} orders/s",
     f"p50 {get(d1, 'call_latency', 'p50_ms'):.1f} / p99 {place_p99:.1f} ms",
     f"{ratio(place_rate, grpc_qps)} of a, {ratio(place_rate, storage_rate)} of b"),
    ("d1. same load through ghz", f"{ghz_rps:.0f} orders/s", f"p99 {ghz_p99:.1f} ms",
     f"{ratio(ghz_rps, place_rate)} of loadgen"),
    ("d1. accepted -> settled (closed loop)", f"{get(d1, 'e2e_throughput'):.0f} orders/s",
     f"p50 {get(d1, 'e2e', 'settlement', 'p50_ms'):.0f} / p99 {get(d1, 'e2e', 'settlement', 'p99_ms'):.0f} ms",
     f"{ratio(get(d1, 'e2e_throughput'), storage_rate)} of b"),
    (f"d2. end to end at {sustained_target:.0f}/s offered", f"{sustained_accepted:.0f} orders/s accepted",
     f"settled p99 {sustained_e2e_p99:.0f} ms, lag at end {sustained_lag}",
     f"{ratio(sustained_accepted, storage_rate)} of b, {ratio(sustained_accepted, kafka_rate)} of c"),
    ("d3. end to end at 300/s", f"{get(d3, 'throughput'):.0f} orders/s",
     f"->completed p50 {get(d3, 'e2e', 'completed', 'p50_ms'):.1f} / p99 {e2e300_p99:.1f} ms", ""),
    ("d4. end to end at 100/s", f"{get(d4, 'throughput'):.0f} orders/s",
     f"->completed p50 {get(d4, 'e2e', 'completed', 'p50_ms'):.1f} / p99 "
     f"{get(d4, 'e2e', 'completed', 'p99_ms'):.1f} ms; ->settled p99 "
     f"{get(d4, 'e2e', 'settlement', 'p99_ms'):.1f} ms", ""),
    ("e. PlaceOrder with delivery stopped", f"{get(down, 'throughput'):.0f} orders/s",
     f"p99 {get(down, 'call_latency', 'p99_ms'):.1f} ms, errors {errors(down):.1%}",
     f"{ratio(get(down, 'throughput'), place_rate)} of d1 (errors in d1: {errors(d1):.1%})"),
    ("e. delivery catching up after restart", f"{get(catchup, 'initial_lag', default=0)} records",
     f"{get(catchup, 'seconds'):.1f} s", ""),
]

# Where the time goes during d1: CPU seconds per process per 1,000 orders.
cpu_rows = []
cpu_file = os.path.join(out, "d1_cpu.txt")
if os.path.exists(cpu_file):
    with open(cpu_file) as f:
        lines = dict(line.split(" ", 1) for line in f.read().strip().splitlines())
    before = dict(item.split("=") for item in lines.get("before", "").split())
    after = dict(item.split("=") for item in lines.get("after", "").split())
    orders = get(d1, "ok") or 1
    for name in after:
        used = float(after[name]) - float(before.get(name, 0))
        cpu_rows.append((name, used, used / orders * 1000))

machine = f"{os.cpu_count()} cores, {platform.machine()}, {platform.platform()}"
md = [f"Machine: {machine}", "", "| measurement | rate | latency | ratio |", "| --- | --- | --- | --- |"]
md += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in rows]
if cpu_rows:
    md += ["", "Where the CPU went during d1 (2 cores = 2 CPU-seconds per second):", "",
           "| process | CPU seconds | per 1,000 orders |", "| --- | --- | --- |"]
    md += [f"| {name} | {used:.1f} | {per:.2f} s |" for name, used, per in cpu_rows]
md += ["", "| target | met | figure |", "| --- | --- | --- |"]
md += [f"| {t[0]} | {'yes' if t[1] else 'NO'} | {t[2]} |" for t in targets]
text = "\n".join(md) + "\n"
with open(os.path.join(out, "results.md"), "w") as f:
    f.write(text)
with open(os.path.join(out, "results.json"), "w") as f:
    json.dump({"machine": machine, "grpc": a, "storage": b, "kafka": c, "place": d1,
               "sustained": d2, "e2e_300": d3, "e2e_100": d4, "ghz_rps": ghz_rps, "ghz_p99_ms": ghz_p99,
               "delivery_down": down, "catchup": catchup,
               "targets": [{"target": t[0], "met": t[1], "figure": t[2]} for t in targets]},
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
     '{out}/d3_timeline.csv' using 1:2 skip 1 with lines title 'PlaceOrder, 300/s', \\
     '{out}/d3_timeline.csv' using 1:3 skip 1 with lines title 'accepted->completed, 300/s', \\
     '{out}/d4_timeline.csv' using 1:3 skip 1 with lines title 'accepted->completed, 100/s'
"""
try:
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    print(f"plot: {plot}")
except (OSError, subprocess.CalledProcessError) as error:
    print(f"no plot: {error}")
print(f"results: {out}/results.md, results.json")
