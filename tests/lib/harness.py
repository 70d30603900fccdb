# SPDX-License-Identifier: BSD-3-Clause
"""What every fixture script under tests/fixtures shares: a scratch directory, the program
under test started in the background and stopped with a timeout (its log kept for the
report), sluice-dataplane on a config of the test's own and the DPDK runtime directory
it leaves behind, pcap files in and out, and the checks with one summary line and the
exit status at the end.

A script is a function of a Report (and its arguments), run by run():

    def test(report, binary):
        with harness.workdir("fix") as tmp:
            harness.write_pcap(os.path.join(tmp, "rx.pcap"), frames)
            with harness.Dataplane(binary, tmp, "fix", CONFIG, report) as dp:
                stats = dp.wait_for(lambda s: s["rx_packets"] == len(frames), 30)
            report.check(stats is not None, "every frame received")
            sent = harness.read_pcap(os.path.join(tmp, "tx.pcap"))

    if __name__ == "__main__":
        harness.run("packet_fixtures", test, sys.argv[1])

The dataplane's log is printed with the summary when a check failed.

Standard library only (bad_input_test.py runs under a python3 without scapy).
"""
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import telemetry  # noqa: E402
from fixture_config import dataplane_section  # noqa: E402

STOP_TIMEOUT_S = 30  # SIGTERM to exit; then SIGKILL


class Report:
    """Checks and failures of one test; finish() prints the summary and gives the status."""

    def __init__(self, name):
        self.name = name
        self.checks = 0
        self.failures = []
        self.logs = []  # (title, text) shown when something failed

    def check(self, condition, what, detail=None, quiet=False):
        """Counts one check: prints "ok:" and `what` (unless quiet), or "FAIL:", `what` and
        `detail` (a callable giving the text, or the text) when the condition is false."""
        self.checks += 1
        if condition:
            if not quiet:
                print("ok:   " + what)
        else:
            if callable(detail):
                detail = detail()
            self.fail(what if detail is None else f"{what}: {detail}")
        return bool(condition)

    def fail(self, what):
        self.failures.append(what)
        print("FAIL: " + what)

    def log(self, title, text):
        """Keeps a program's output, printed by finish() if the test failed."""
        self.logs.append((title, text))

    def finish(self):
        if self.failures:
            for title, text in self.logs:
                print(f"--- {title} ---\n{text.rstrip()}\n--- end of {title} ---")
            for f in self.failures:
                print("FAIL: " + f)
            print(f"{self.name}: FAILED, {len(self.failures)} failure(s), {self.checks} checks")
            return 1
        print(f"{self.name}: passed, {self.checks} checks")
        return 0


def run(name, test, *args):
    """Runs test(report, *args) and exits with the report's status; an exception fails it."""
    report = Report(name)
    try:
        test(report, *args)
    except Exception:  # noqa: BLE001
        report.fail("exception:\n" + traceback.format_exc())
    sys.exit(report.finish())


def workdir(name):
    """A scratch directory, removed with everything in it when the `with` block ends."""
    return tempfile.TemporaryDirectory(prefix=f"sluice-{name}.")


class Program:
    """A program under test in the background, stdout and stderr collected together (or
    written to `log_path`). stop() sends SIGTERM, waits `stop_timeout_s`, then kills it (a
    failure unless `kill_is_failure` is false); its output goes to the report's logs under
    `title`. As a context manager it stops on leaving the block."""

    def __init__(self, argv, report=None, title=None, log_path=None,
                 stop_timeout_s=STOP_TIMEOUT_S, kill_is_failure=True):
        self.report = report
        self.title = title or os.path.basename(argv[0])
        self.log_path = log_path
        self.stop_timeout_s = stop_timeout_s
        self.kill_is_failure = kill_is_failure
        self.output = None
        self.returncode = None
        if log_path:
            self._log = open(log_path, "w")
            self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT)
        else:
            self._log = None
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         text=True)

    @property
    def pid(self):
        return self.proc.pid

    def poll(self):
        """The exit status, None while the program runs."""
        self.returncode = self.proc.poll()
        return self.returncode

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        """Ends the program (once) and returns its output."""
        if self.output is not None:
            return self.output
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            out, _ = self.proc.communicate(timeout=self.stop_timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
            if self.report and self.kill_is_failure:
                self.report.fail(f"{self.title}: still running {self.stop_timeout_s} s after "
                                 "SIGTERM, killed")
        if self._log:
            self._log.close()
            with open(self.log_path, errors="replace") as f:
                out = f.read()
        self.output = out or ""
        self.returncode = self.proc.returncode
        if self.report:
            self.report.log(self.title, self.output)
        return self.output

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def dpdk_runtime_dirs(file_prefix):
    """Where DPDK keeps the runtime files of `file_prefix` (root, then other users)."""
    user_dir = os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return [f"/var/run/dpdk/{file_prefix}", f"{user_dir}/dpdk/{file_prefix}"]


def hugetlbfs_mounts():
    """The mount points of every hugetlbfs (where DPDK puts its <prefix>map_* files)."""
    with open("/proc/mounts") as f:
        return [fields[1] for fields in (line.split() for line in f)
                if len(fields) > 2 and fields[2] == "hugetlbfs"]


def dpdk_leftovers(file_prefix):
    """What a DPDK process of `file_prefix` left behind: its runtime directory and its
    hugepage files (<mount>/<prefix>map_<n>)."""
    found = [d for d in dpdk_runtime_dirs(file_prefix) if os.path.exists(d)]
    for mount in hugetlbfs_mounts():
        try:
            names = os.listdir(mount)
        except OSError:
            continue
        found += [os.path.join(mount, n) for n in sorted(names)
                  if n.startswith(file_prefix + "map_") and n[len(file_prefix) + 4:].isdigit()]
    return found


def remove_dpdk_leftovers(file_prefix):
    for path in dpdk_leftovers(file_prefix):
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.remove(path)
            except OSError:
                pass


def free_hugepages_mb():
    """Free memory in default-size hugepages, in MiB (0 without hugetlbfs mounted)."""
    if not hugetlbfs_mounts():
        return 0
    info = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            info[key] = int(value.split()[0])
    return info.get("HugePages_Free", 0) * info.get("Hugepagesize", 0) // 1024


class Dataplane(Program):
    """sluice-dataplane on `config` (the TOML after [dataplane]) with a [dataplane] section
    of the test's own (fixture_config.dataplane_section: no hugepages, small pools, its
    own DPDK file prefix and control socket; `settings` add or replace keys), inside the
    network namespace `netns` when given. stop() notes in `leftovers` what the process
    left behind (dpdk_leftovers) and removes it."""

    def __init__(self, binary, tmp, name, config, report=None, workers=(1,), netns=None,
                 **settings):
        self.prefix = f"sl{name}{os.getpid()}"
        self.control_socket = os.path.join(tmp, f"{name}.sock")
        self.config_path = os.path.join(tmp, f"{name}.toml")
        self.leftovers = None
        with open(self.config_path, "w") as f:
            f.write(dataplane_section(self.prefix, self.control_socket, workers=workers,
                                      **settings) + config)
        # `ip netns exec` execs the binary: signals reach it directly.
        inside = ["ip", "netns", "exec", netns] if netns else []
        super().__init__(inside + [binary, "--config", self.config_path], report,
                         title=f"sluice-dataplane log ({name})")

    def query(self, command="/sluice/stats"):
        return telemetry.query(self.prefix, command)

    def wait_for(self, predicate, deadline_s, command="/sluice/stats"):
        """Polls telemetry until predicate(answer) holds; the last answer or None."""
        return telemetry.wait_for(self.prefix, predicate, deadline_s, command)

    def stop(self):
        if self.output is not None:
            return self.output
        out = super().stop()
        self.leftovers = dpdk_leftovers(self.prefix)
        remove_dpdk_leftovers(self.prefix)
        return out


def wait_for_path(path, deadline_s):
    """True once `path` exists (a socket a program opens), False after deadline_s."""
    end = time.monotonic() + deadline_s
    while not os.path.exists(path):
        if time.monotonic() >= end:
            return False
        time.sleep(0.05)
    return True


# --- pcap files (DLT_EN10MB), as net_pcap reads and writes them -------------------------
_PCAP_MAGIC_US, _PCAP_MAGIC_NS = 0xA1B2C3D4, 0xA1B23C4D


def write_pcap(path, frames):
    """A pcap file of `frames` (bytes), one microsecond apart; none: an empty capture."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", _PCAP_MAGIC_US, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            frame = bytes(frame)
            f.write(struct.pack("<IIII", 0, i, len(frame), len(frame)) + frame)


def read_pcap(path):
    """The frames (bytes) of a pcap file; [] when there is no file."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    for order in "<>":
        if struct.unpack(order + "I", data[:4])[0] in (_PCAP_MAGIC_US, _PCAP_MAGIC_NS):
            break
    else:
        raise ValueError(f"{path}: not a pcap file")
    frames, at = [], 24
    while at + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(order + "IIII", data[at:at + 16])
        frames.append(data[at + 16:at + 16 + caplen])
        at += 16 + caplen
    return frames
