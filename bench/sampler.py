"""Where a running service's time goes: runs a nameko service in this process with a sampling
profiler, and prints the profile's top lines when stopped (Ctrl-C or SIGTERM).

    deploy/local/with-env.sh env KECHUANG_INTAKE_HTTP=127.0.0.1:8191 .venv/bin/python \\
        -m bench.sampler services/intake/config.yml services.intake.service:IntakeService

A real OS thread looks at the main thread's current frame every millisecond. Under eventlet
every greenthread runs on the main thread, so the frame is that of whichever greenthread
runs; a sample in the hub's wait is idle time. Each function seen on the sampled stack counts
once per sample (inclusive: "of the busy time, this share was under it"); `self` is the
innermost frame. pyinstrument and py-spy are not in the project's environment; cProfile is
confused by greenthread switches (the time a greenthread spends switched out is charged to
whatever it called last).
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import logging.config  # noqa: E402
import pstats  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402
from types import FrameType  # noqa: E402

import yaml  # noqa: E402
from eventlet import patcher  # noqa: E402
from nameko.cli.main import setup_yaml_parser  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402

real_threading = patcher.original("threading")
real_time = patcher.original("time")

IDLE = ("hubs/hub.py", "hubs/epolls.py", "hubs/poll.py", "hubs/selects.py")


class Sampler:
    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.main = real_threading.main_thread().ident
        self.inclusive: Counter[str] = Counter()
        self.own: Counter[str] = Counter()
        self.samples = 0
        self.idle = 0
        self.running = True

    def start(self) -> None:
        # The sampler needs the GIL to look: by default it gets it only when the main thread
        # releases it (socket calls, the hub's wait) or every 5 ms, which would over-count
        # the calls that release it. Asking for it every 0.1 ms keeps the samples fair.
        sys.setswitchinterval(0.0001)
        real_threading.Thread(target=self.run, daemon=True).start()

    def run(self) -> None:
        while self.running:
            real_time.sleep(self.interval)
            frame = sys._current_frames().get(self.main)
            if frame is not None:
                self.take(frame)

    def take(self, frame: FrameType) -> None:
        self.samples += 1
        if frame.f_code.co_filename.endswith(IDLE):
            self.idle += 1
            return
        self.own[self.name(frame)] += 1
        seen = set()
        walker: FrameType | None = frame
        while walker is not None:
            seen.add(self.name(walker))
            walker = walker.f_back
        self.inclusive.update(seen)

    @staticmethod
    def name(frame: FrameType) -> str:
        path = frame.f_code.co_filename
        for marker in ("site-packages/", "/wt-perf/", "/main/", "lib/python3.11/"):
            if marker in path:
                path = path.split(marker, 1)[1]
                break
        return f"{path}:{frame.f_code.co_firstlineno}({frame.f_code.co_name})"

    def report(self, top: int = 30) -> str:
        busy = self.samples - self.idle
        lines = [
            f"{self.samples} samples, {busy} busy ({busy / max(self.samples, 1):.0%}), "
            f"{self.idle} idle in the hub",
            f"{'incl %':>7} {'self %':>7}  function (share of busy samples)",
        ]
        for name, n in self.inclusive.most_common(top):
            lines.append(f"{n / busy:7.1%} {self.own[name] / busy:7.1%}  {name}")
        lines.append(f"{'':>7} {'self %':>7}  top by self time")
        for name, n in self.own.most_common(15):
            lines.append(f"{'':>7} {n / busy:7.1%}  {name}")
        return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config", help="the service's config.yml")
    parser.add_argument("service", help="module:Class")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--cprofile",
        action="store_true",
        help="cProfile instead (exact CPU per function; drive it with one client at a time)",
    )
    args = parser.parse_args()
    setup_yaml_parser()
    with open(args.config) as file:
        config = yaml.safe_load(file)
    logging.config.dictConfig(config["LOGGING"])  # the service's own logging: part of its cost
    module, name = args.service.split(":")
    cls = getattr(__import__(module, fromlist=[name]), name)
    runner = ServiceRunner(config)
    runner.add_service(cls)
    sampler = Sampler()
    stop = eventlet.event.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.send())
    signal.signal(signal.SIGINT, lambda *_: stop.send())
    runner.start()
    profile = cProfile.Profile()
    if args.cprofile:
        profile.enable()
    else:
        sampler.start()
    print("ready", flush=True)
    stop.wait()
    sampler.running = False
    if args.cprofile:
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
        print(out.getvalue(), flush=True)
    else:
        print(sampler.report(args.top), flush=True)
    runner.stop()


if __name__ == "__main__":
    main()
