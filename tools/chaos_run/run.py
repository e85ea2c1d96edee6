#!/usr/bin/env python3
"""A bounded chaos run of the whole shop, ending with a verdict.

Starts its own stack beside the developer's (data in .data/chaos, its own
ports): MariaDB, a three-broker Kafka cluster (replication factor 3,
min.insync.replicas 2), toxiproxy between every service and MariaDB and
every broker, and two instances of each of the five services. It drives a
mixed load (orders of one to three lines, some with a first-come coupon,
some cancelled, some shipped) and, for the whole time, injects faults at
random, evenly over these kinds:

  service_kill   SIGKILL a service instance, restart it a few seconds later
  broker_kill    SIGKILL the leader of a busy partition (shop.order.events)
  mariadb_kill   SIGKILL MariaDB, restart it
  latency        toxiproxy: 300-1000 ms more on MariaDB's or a broker's link
  bandwidth      toxiproxy: that link limited to 32 KB/s
  timeout        toxiproxy: that link stops passing data (connections hang)
  reset_peer     toxiproxy: that link's connections reset

Then it heals everything, waits until every outbox is empty and every
consumer group has applied everything (quiescence), and checks the
invariants straight in the databases (tools/chaos_run/verdict). It prints a
report and exits 1 on any violation (2 when the run itself failed).
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "bazel-bin")
SERVICES = ["order", "product", "delivery", "settlement", "coupon"]
FAULT_KINDS = ["service_kill", "broker_kill", "mariadb_kill", "latency", "bandwidth", "timeout",
               "reset_peer"]
TOXIC_KINDS = ["latency", "bandwidth", "timeout", "reset_peer"]

MYSQL_PORT, MYSQL_PROXY_PORT = 23306, 23307
KAFKA_PORT, KAFKA_PROXY_PORT = 29092, 29095  # node i: +10(i-1); proxied: listen, +1 advertised
TOXIPROXY_API = 28474
# + service index (1..5), +100 / +10 per instance. Every fixed port stays below
# the kernel's ephemeral range (ip_local_port_range, 32768 and up): a port in
# it can be taken by any outgoing connection (a broker's, Bazel's) and a
# service's bind would fail at start.
GRPC_BASE, METRICS_BASE = 24050, 29300


def log(message):
    print("[chaos %s] %s" % (time.strftime("%H:%M:%S"), message), flush=True)


class Chaos:
    def __init__(self, args):
        self.args = args
        self.data = os.path.abspath(args.data_dir)
        self.random = random.Random(args.seed)
        self.env = dict(os.environ)
        for name in list(self.env):
            if name.startswith("SHOP_"):
                del self.env[name]
        self.env.update({
            "SHOP_DATA_DIR": self.data,
            "SHOP_MYSQL_PORT": str(MYSQL_PORT),
            "SHOP_KAFKA_PORT": str(KAFKA_PORT),
            "SHOP_KAFKA_CONTROLLER_PORT": str(KAFKA_PORT + 1),
            "SHOP_KAFKA_SSL_PORT": str(KAFKA_PORT + 2),
            "SHOP_KAFKA_PROXY_PORT": str(KAFKA_PROXY_PORT),
            "SHOP_REDIS_PORT": "26379",
        })
        self.brokers_direct = ",".join("127.0.0.1:%d" % (KAFKA_PORT + 10 * i) for i in range(3))
        self.brokers_proxied = ",".join(
            "127.0.0.1:%d" % (KAFKA_PROXY_PORT + 1 + 10 * i) for i in range(3))
        self.processes = {}  # name -> (Popen, argv)
        self.lock = threading.Lock()
        self.dev_lock = threading.Lock()
        self.down = set()  # what is down or poisoned right now
        self.faults = {kind: 0 for kind in FAULT_KINDS}
        self.heals = []
        self.toxiproxy = None
        self.stopping = False

    # ------------------------------------------------------------ plumbing

    def dev(self, *argv):
        with self.dev_lock:
            subprocess.run([os.path.join(ROOT, "tools/dev")] + list(argv), env=self.env,
                           check=True, stdout=subprocess.DEVNULL,
                           stderr=open(os.path.join(self.data, "dev.log"), "a"))

    def api(self, method, path, body=None):
        request = urllib.request.Request(
            "http://127.0.0.1:%d%s" % (TOXIPROXY_API, path), method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return json.loads(text) if text else None

    def start_process(self, name, argv, env=None):
        out = open(os.path.join(self.data, "logs", name + ".log"), "a")
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                   env=env or self.env, start_new_session=True)
        with self.lock:
            self.processes[name] = (process, argv, env)
        return process

    def restart(self, name):
        with self.lock:
            if self.stopping:
                return
            process, argv, env = self.processes[name]
        if process.poll() is None:
            return
        self.start_process(name, argv, env)

    # ------------------------------------------------------------ setup

    def start(self):
        if os.path.exists(self.data):
            subprocess.run([os.path.join(ROOT, "tools/dev"), "down"], env=self.env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(self.data)
        os.makedirs(os.path.join(self.data, "logs"))
        log("starting MariaDB and three Kafka brokers in %s" % self.data)
        self.dev("up", "--brokers", "3")
        self.toxiproxy = subprocess.Popen(
            [os.path.join(ROOT, ".cache/bin/toxiproxy-server"), "-host", "127.0.0.1", "-port",
             str(TOXIPROXY_API)], stdout=open(os.path.join(self.data, "logs/toxiproxy.log"), "a"),
            stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(100):
            try:
                self.api("GET", "/proxies")
                break
            except OSError:
                time.sleep(0.1)
        self.proxies = {"mysql": (MYSQL_PROXY_PORT, MYSQL_PORT)}
        for i in range(3):
            self.proxies["kafka-%d" % (i + 1)] = (KAFKA_PROXY_PORT + 1 + 10 * i,
                                                  KAFKA_PROXY_PORT + 10 * i)
        for name, (listen, upstream) in self.proxies.items():
            self.api("POST", "/proxies", {"name": name, "listen": "127.0.0.1:%d" % listen,
                                          "upstream": "127.0.0.1:%d" % upstream})
        log("toxiproxy in front of MariaDB and each broker")
        for service in SERVICES:
            provision_env = dict(self.env, SHOP_ADMIN_PASSWORD="shop_admin",
                                 SHOP_PASSWORD=service + "_chaos_pw")
            subprocess.run([os.path.join(BIN, "tools/provision/provision_db"), "--host=127.0.0.1",
                            "--port=%d" % MYSQL_PORT, "--admin_user=shop_admin",
                            "--database=shop_" + service, "--user=shop_" + service],
                           env=provision_env, check=True)
            password_file = os.path.join(self.data, service + ".password")
            with open(os.open(password_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as out:
                out.write(service + "_chaos_pw\n")
            for instance in range(1, self.args.instances + 1):
                self.start_process(self.name(service, instance),
                                   self.service_argv(service, instance, password_file))
        for service in SERVICES:
            for instance in range(1, self.args.instances + 1):
                self.wait_serving(self.name(service, instance))
        log("%d instances of each of the five services serve" % self.args.instances)

    def name(self, service, instance):
        return service if instance == 1 else "%s-%d" % (service, instance)

    def grpc_port(self, service, instance):
        return GRPC_BASE + SERVICES.index(service) + 1 + 100 * (instance - 1)

    def metrics_port(self, service, instance):
        return METRICS_BASE + SERVICES.index(service) + 1 + 10 * (instance - 1)

    def service_argv(self, service, instance, password_file):
        name = self.name(service, instance)
        argv = [os.path.join(BIN, service, service),
                "--grpc_address=127.0.0.1:%d" % self.grpc_port(service, instance),
                "--brokers=" + self.brokers_proxied,
                "--kafka_replication_factor=3", "--kafka_min_insync_replicas=2",
                "--mysql_host=127.0.0.1", "--mysql_port=%d" % MYSQL_PROXY_PORT,
                "--mysql_user=shop_" + service, "--mysql_password_file=" + password_file,
                "--mysql_database=shop_" + service,
                "--metrics_address=127.0.0.1:%d" % self.metrics_port(service, instance),
                "--port_file=" + os.path.join(self.data, name + ".port"),
                "--startup_timeout_seconds=300"]
        if self.args.unsafe_commit_before_apply:
            argv.append("--unsafe_commit_before_apply")
        return argv

    def wait_serving(self, name, timeout=120):
        port_file = os.path.join(self.data, name + ".port")
        until = time.time() + timeout
        while time.time() < until:
            if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
                return
            process = self.processes[name][0]
            if process.poll() is not None:
                raise RuntimeError("%s exited during start with %d (see %s/logs/%s.log); its last"
                                   " lines:\n%s" % (name, process.returncode, self.data, name,
                                                    self.log_tail(name)))
            time.sleep(0.2)
        raise RuntimeError("%s did not serve within %d s" % (name, timeout))

    def log_tail(self, name, lines=15):
        with open(os.path.join(self.data, "logs", name + ".log"), errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def targets(self, service):
        return "ipv4:" + ",".join("127.0.0.1:%d" % self.grpc_port(service, i)
                                  for i in range(1, self.args.instances + 1))

    # ------------------------------------------------------------ faults

    def leader_of_busy_partition(self):
        out = subprocess.run(["kcat", "-b", self.brokers_direct, "-L", "-J", "-t",
                              "shop.order.events", "-m", "5"], capture_output=True, text=True,
                             timeout=15)
        topics = json.loads(out.stdout)["topics"]
        partitions = topics[0]["partitions"] if topics else []
        leaders = [p["leader"] for p in partitions if p.get("leader", -1) > 0]
        return self.random.choice(leaders) if leaders else None

    def kill_pidfile(self, path):
        with open(path) as f:
            os.kill(int(f.read().strip()), signal.SIGKILL)

    def inject(self, kind):
        """One fault of `kind` and its healing, or False when none fits now."""
        heal_after = self.random.uniform(self.args.fault_min_seconds, self.args.fault_max_seconds)
        if kind == "service_kill":
            candidates = [n for n in self.processes if n != "load" and n not in self.down and
                          (n.split("-")[0] + "*") not in self.down]
            if not candidates:
                return False
            name = self.random.choice(sorted(candidates))
            service = name.split("-")[0]
            with self.lock:
                self.down.update({name, service + "*"})
            self.processes[name][0].kill()

            def heal():
                self.restart(name)
                with self.lock:
                    self.down.difference_update({name, service + "*"})
            self.later(heal_after, heal, "restart " + name)
            detail = name
        elif kind in ("broker_kill", "mariadb_kill"):
            if "server" in self.down:
                return False
            if kind == "broker_kill":
                leader = self.leader_of_busy_partition()
                if leader is None:
                    return False
                pidfile = os.path.join(self.data, "kafka-cluster/node-%d.pid" % leader)
                detail = "broker %d" % leader
            else:
                pidfile = os.path.join(self.data, "mariadb.pid")
                detail = "MariaDB"
            with self.lock:
                self.down.add("server")
            self.kill_pidfile(pidfile)

            def heal():
                self.dev("up", "--brokers", "3")
                with self.lock:
                    self.down.discard("server")
            self.later(heal_after, heal, "restart " + detail)
        else:
            proxies = [p for p in self.proxies if p not in self.down]
            if not proxies:
                return False
            proxy = self.random.choice(sorted(proxies))
            toxic = {"name": "chaos", "type": kind, "stream": self.random.choice(
                ["upstream", "downstream"]), "toxicity": 1.0}
            if kind == "latency":
                toxic["attributes"] = {"latency": self.random.randint(300, 1000), "jitter": 100}
            elif kind == "bandwidth":
                toxic["attributes"] = {"rate": 32}
            elif kind == "timeout":
                toxic["attributes"] = {"timeout": 0}
            else:
                toxic["attributes"] = {"timeout": self.random.randint(0, 500)}
            with self.lock:
                self.down.add(proxy)
            self.api("POST", "/proxies/%s/toxics" % proxy, toxic)

            def heal():
                try:
                    self.api("DELETE", "/proxies/%s/toxics/chaos" % proxy)
                finally:
                    with self.lock:
                        self.down.discard(proxy)
            self.later(heal_after, heal, "remove %s from %s" % (kind, proxy))
            detail = "%s %s" % (proxy, toxic["stream"])
        self.faults[kind] += 1
        if self.args.verbose:
            log("fault %s: %s (healed in %.1f s)" % (kind, detail, heal_after))
        return True

    def later(self, seconds, action, what):
        def run():
            if self.stopping:
                return
            try:
                action()
            except Exception as error:  # reported, and healed again at the end
                log("healing failed (%s): %s" % (what, error))
        timer = threading.Timer(seconds, run)
        timer.daemon = True
        self.heals.append(timer)
        timer.start()

    def heal_everything(self):
        for timer in self.heals:
            timer.join()
        for proxy in self.proxies:
            try:
                self.api("DELETE", "/proxies/%s/toxics/chaos" % proxy)
            except OSError:
                pass
        self.dev("up", "--brokers", "3")
        for name in list(self.processes):
            if name != "load":
                self.restart(name)
        self.down.clear()

    # ------------------------------------------------------------ the run

    def run(self):
        started = time.time()
        self.start()
        load_argv = [os.path.join(BIN, "tools/chaos_run/chaos_load"),
                     "--order=" + self.targets("order"), "--product=" + self.targets("product"),
                     "--delivery=" + self.targets("delivery"),
                     "--coupon=" + self.targets("coupon"),
                     "--seconds=%d" % int(self.args.minutes * 60), "--rate=%g" % self.args.rate,
                     "--workers=%d" % self.args.workers, "--out_dir=" + self.data]
        load = self.start_process("load", load_argv)
        log("load for %.1f minutes at %g orders/s; faults every ~%.1f s" %
            (self.args.minutes, self.args.rate, self.args.fault_interval))
        kinds = []
        while load.poll() is None:
            time.sleep(self.random.uniform(0.5, 1.5) * self.args.fault_interval)
            if load.poll() is not None:
                break
            if not kinds:
                kinds = list(FAULT_KINDS)
                self.random.shuffle(kinds)
            kind = kinds[0]
            try:
                if self.inject(kind):
                    kinds.pop(0)
            except Exception as error:
                log("injecting %s failed: %s" % (kind, error))
        if load.returncode != 0:
            raise RuntimeError("the load exited with %d (see %s/logs/load.log)" %
                               (load.returncode, self.data))
        log("load done; healing everything")
        self.heal_everything()
        for service in SERVICES:
            for instance in range(1, self.args.instances + 1):
                self.wait_serving(self.name(service, instance), timeout=300)
        quiet_started = time.time()
        quiet = self.wait_quiet()
        quiescence = time.time() - quiet_started
        if not quiet:
            # Checked anyway: the verdict says what is stuck.
            log("NO quiescence within %d s (an outbox or a group is stuck)" %
                self.args.quiet_timeout)
        verdict = subprocess.run(
            [os.path.join(BIN, "tools/chaos_run/verdict"), "--mysql_port=%d" % MYSQL_PORT,
             "--brokers=" + self.brokers_direct,
             "--accepted_file=" + os.path.join(self.data, "accepted.txt"),
             "--stock_file=" + os.path.join(self.data, "stock.txt")],
            env=dict(self.env, SHOP_MYSQL_PASSWORD="shop_admin"), capture_output=True, text=True)
        with open(os.path.join(self.data, "load.json")) as f:
            load_counts = json.load(f)
        report = ["== chaos run: %.1f minutes of load, %d instances per service, 3 brokers, seed %s"
                  % (self.args.minutes, self.args.instances, self.args.seed),
                  "faults injected: " + ", ".join("%s %d" % (k, v) for k, v in self.faults.items())
                  + " (%d in all)" % sum(self.faults.values()),
                  "load: " + ", ".join("%s %s" % (k, v) for k, v in load_counts.items()),
                  ("time to quiescence after healing: %.1f s" % quiescence if quiet else
                   "quiescence NOT reached in %.0f s" % quiescence) +
                  " (whole run %.0f s)" % (time.time() - started),
                  verdict.stdout.rstrip()]
        if verdict.stderr:
            report.append(verdict.stderr.rstrip())
        text = "\n".join(report) + "\n"
        with open(os.path.join(self.data, "report.txt"), "w") as f:
            f.write(text)
        print(text, flush=True)
        if not quiet:
            return 1
        return {0: 0, 1: 1}.get(verdict.returncode, 2)

    def scrape(self, port):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
                return r.read().decode()
        except OSError:
            return None

    def wait_quiet(self):
        """Every outbox empty and every group caught up, five polls in a row."""
        until = time.time() + self.args.quiet_timeout
        calm = 0
        while time.time() < until:
            quiet = True
            for service in SERVICES:
                lag_seen = False
                for instance in range(1, self.args.instances + 1):
                    text = self.scrape(self.metrics_port(service, instance))
                    if text is None:
                        quiet = False
                        continue
                    for line in text.splitlines():
                        if line.startswith("shop_outbox_backlog_events ") and \
                                float(line.split()[-1]) > 0:
                            quiet = False
                        if line.startswith("shop_consumer_lag_records{"):
                            lag_seen = True
                            if float(line.split()[-1]) > 0:
                                quiet = False
                if not lag_seen:
                    quiet = False
            calm = calm + 1 if quiet else 0
            if calm >= 5:
                return True
            time.sleep(1)
        return False

    def stop(self):
        with self.lock:
            self.stopping = True  # no healing restarts anything from here on
        for timer in self.heals:
            timer.cancel()
        for name, (process, _, _) in list(self.processes.items()):
            if process.poll() is None:
                process.terminate()
        for name, (process, _, _) in list(self.processes.items()):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.toxiproxy is not None:
            self.toxiproxy.terminate()
        subprocess.run([os.path.join(ROOT, "tools/dev"), "down"], env=self.env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=3, help="how long the load and faults last")
    parser.add_argument("--rate", type=float, default=25, help="orders per second offered")
    parser.add_argument("--workers", type=int, default=32, help="concurrent clients")
    parser.add_argument("--instances", type=int, default=2, help="instances of each service")
    parser.add_argument("--fault-interval", type=float, default=2.5,
                        help="seconds between faults, on average")
    parser.add_argument("--fault-min-seconds", type=float, default=2)
    parser.add_argument("--fault-max-seconds", type=float, default=6)
    parser.add_argument("--quiet-timeout", type=int, default=600)
    parser.add_argument("--seed", default=str(int(time.time())))
    parser.add_argument("--data-dir", default=os.path.join(ROOT, ".data/chaos"))
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    parser.add_argument("--verbose", action="store_true", help="log each fault")
    parser.add_argument("--unsafe-commit-before-apply", action="store_true",
                        help="TEST ONLY: a deliberately broken consumer (offsets committed before"
                        " the database commit); the verdict must fail")
    args = parser.parse_args()
    chaos = Chaos(args)
    code = 2
    try:
        code = chaos.run()
    except Exception as error:
        log("the run failed: %s" % error)
    finally:
        if not args.keep:
            chaos.stop()
    sys.exit(code)


if __name__ == "__main__":
    main()
