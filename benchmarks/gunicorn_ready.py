"""gunicorn settings file of the benchmarks: each worker, once it has loaded the app, leaves
a file in $BENCH_READY_DIR, so a benchmark starts only when every worker can answer."""
import os


def post_worker_init(worker):
    open(os.path.join(os.environ["BENCH_READY_DIR"], str(worker.pid)), "w").close()
