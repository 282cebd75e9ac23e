"""``derive train {linear,two-layer}``: the documents' training loop on real data.

Trains with the verified gradient (or the documents' as printed, or as printed divided by the
checker's constant), shows a progress bar on stderr when it is a terminal, and prints test MSE
and R^2 beside scikit-learn's LinearRegression and, on the Boston data, beside the documents'
printed figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from derive.numeric import data as ND
from derive.numeric import limits as LIM
from derive.numeric import train as NT
from derive.reports import pages

from derive.errors import InputError, OutputError

# Bar width in characters, and how many redraws per run (enough to look live, few enough to cost
# nothing next to the training).
BAR_WIDTH = 30
BAR_UPDATES = 200

# Records which plot files this command wrote (name -> SHA-256), so it overwrites only those.
MANIFEST = ".derive-train.json"
MANIFEST_MAX_BYTES = 2**20  # a few names and hashes; anything bigger was not written by us

HELP = "train the documents' linear regression or two-layer network on real data"

DESCRIPTION = """\
The documents' training loop (000 §1.3, §1.4): seed 42, batches with reshuffling (and the
printed code's shrinking batch size), plain gradient descent, on the Boston housing data (shipped
with the package), standardized and split as the documents do (test 30%, split seed 42).

--gradient verified     the documents' backward pass, corrected (proved equal to the derivation)
--gradient as-printed   their code as printed: scaled by N (linear) or N/2 (two-layer); the
                        two-layer one also gives every hidden bias the same update
--gradient rescaled     as printed, divided by the constant the checker diagnosed
"""

EPILOG = f"""\
examples:
  derive train linear                       verified gradient, {NT.N_ITER} iterations
  derive train linear --gradient as-printed the documents' own run: MSE 21.962219458334552
  derive train two-layer --plots plots      loss curve and predicted vs actual, SVG and PNG

exit status: 0 trained, 1 training diverged (lower --learning-rate), 2 bad input
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("train", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", choices=NT.MODELS, help="which network of the documents")
    parser.add_argument("--data", choices=("boston",), default=None,
                        help="data set (default and only: boston, the documents' table)")
    parser.add_argument("--hidden", type=int, default=NT.HIDDEN,
                        help=f"hidden units of the two-layer network, 1 to {LIM.MAX_HIDDEN} "
                             f"(default {NT.HIDDEN})")
    parser.add_argument("--iterations", type=int, default=None,
                        help=f"training steps (default {NT.N_ITER}; {NT.DOC_N_ITER}, the "
                             "documents' run, with --gradient as-printed)")
    parser.add_argument("--learning-rate", type=float, default=NT.LEARNING_RATE,
                        help=f"step size (default {NT.LEARNING_RATE}, the documents')")
    parser.add_argument("--batch-size", type=int, default=NT.DOC_BATCH_SIZE,
                        help=f"rows per batch (default {NT.DOC_BATCH_SIZE}, the documents')")
    parser.add_argument("--seed", type=int, default=NT.DOC_SEED,
                        help=f"seed of initial weights and shuffling (default {NT.DOC_SEED})")
    parser.add_argument("--gradient", choices=NT.GRADIENTS, default="verified",
                        help="which backward pass trains the network (default verified)")
    parser.add_argument("--plots", metavar="DIR", type=Path, default=None,
                        help="write the loss curve and predicted vs actual (SVG and PNG) here")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar (there is none when stderr is not a terminal)")
    parser.set_defaults(run=run)
    return parser


# --- progress ---------------------------------------------------------------------------------


class ProgressBar:
    """``\\r[#####     ] 500/1000 loss 23.1`` on a stream; loss is the mean since the last draw."""

    def __init__(self, total: int, stream: TextIO, updates: int = BAR_UPDATES,
                 width: int = BAR_WIDTH) -> None:
        self.total, self.stream, self.width = total, stream, width
        self.every = max(1, total // updates)
        self._sum, self._count = 0.0, 0

    def __call__(self, step: NT.Step) -> None:
        self._sum += step.loss
        self._count += 1
        done = step.index + 1
        if done % self.every == 0 or done == self.total:
            self.draw(done, self._sum / self._count)
            self._sum, self._count = 0.0, 0

    def draw(self, done: int, loss: float) -> None:
        filled = self.width * done // self.total
        bar = "#" * filled + " " * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total} loss {loss:.4g}")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


# --- plots ------------------------------------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(folder: Path) -> dict[str, str]:
    path = folder / MANIFEST
    try:
        if not path.is_file() or path.stat().st_size > MANIFEST_MAX_BYTES:
            return {}  # a FIFO would block, a huge file is not ours: nothing recorded
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}






def write_plots(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write files into folder atomically; refuse to replace any file this command did not write.

    A file counts as ours when the manifest records its name with its current SHA-256.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"--plots {folder}: not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--plots {folder}: cannot create the folder ({exc.strerror})") from exc
    manifest = _manifest(folder)
    for name in files:
        path = folder / name
        if path.exists() and (not path.is_file() or manifest.get(name) != _sha(path.read_bytes())):
            raise OutputError(f"{path} exists and was not written by derive train; move it or "
                              "choose another --plots folder")
    written = []
    try:
        for name, data in files.items():
            pages.write_atomic(folder / name, data)
            manifest[name] = _sha(data)
            written.append(folder / name)
        listing = json.dumps(manifest, indent=1, sort_keys=True).encode()
        pages.write_atomic(folder / MANIFEST, listing)
    except OSError as exc:
        raise OutputError(f"--plots {folder}: cannot write ({exc.strerror})") from exc
    return written


def plot_files(m: NT.Model, kind: str, result: NT.TrainResult, actual: np.ndarray,
               predicted: np.ndarray, target: str) -> dict[str, bytes]:
    """{file name: bytes} for the loss curve and predicted vs actual, SVG and PNG."""
    from derive.reports import training as RT  # lazy: matplotlib only when plotting
    from derive.reports import training_plots as RP

    label = RT.LABELS[kind]
    loss = RP.loss_figure([(kind, label, result.losses)], f"{m.title}: training loss, {label}",
                          raw=True)
    test = NT.mse(actual, predicted) if np.all(np.isfinite(predicted)) else float("nan")
    pred = RP.predicted_figure([(f"{m.name}, {label}: test MSE {test:.2f}", actual, predicted)],
                               target)
    stem = f"{m.name}-{kind}"
    return {f"{stem}-{part}.{fmt}": RP.figure_bytes(fig, fmt)
            for part, fig in (("loss", loss), ("predicted", pred)) for fmt in ("svg", "png")}


# --- the command ------------------------------------------------------------------------------


def _config(args: argparse.Namespace) -> NT.TrainConfig:
    default = NT.DOC_N_ITER if args.gradient == "as-printed" else NT.N_ITER
    n_iter = default if args.iterations is None else args.iterations
    try:
        return NT.TrainConfig(n_iter, args.learning_rate, args.batch_size, args.seed)
    except ValueError as exc:
        raise InputError(_option_message(str(exc))) from exc


def _option_message(text: str) -> str:
    """TrainConfig's field names as the command line spells them."""
    for field, option in (("n_iter", "--iterations"), ("learning_rate", "--learning-rate"),
                          ("batch_size", "--batch-size"), ("seed", "--seed"),
                          ("hidden", "--hidden")):
        text = text.replace(f"{field} must", f"{option} must")
    return text


def _check_limits(args: argparse.Namespace) -> None:
    """--hidden and --iterations within numeric.limits: a typo must not take the machine."""
    if args.hidden > LIM.MAX_HIDDEN:
        raise InputError(f"--hidden must be at most {LIM.MAX_HIDDEN:,}, got {args.hidden:,}")
    if args.iterations is not None and args.iterations > LIM.MAX_ITERATIONS:
        raise InputError(f"--iterations must be at most {LIM.MAX_ITERATIONS:,}, got "
                         f"{args.iterations:,}")


def _isatty(stream: TextIO) -> bool:
    """A progress bar redraws itself with \\r: only a terminal shows that as one line."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _load(args: argparse.Namespace) -> tuple[ND.Dataset, str]:
    from derive.reports import training as RT

    try:
        return RT.load_dataset(args.data)
    except (FileNotFoundError, ValueError) as exc:
        raise InputError(str(exc)) from exc


def _gradient(m: NT.Model, kind: str) -> tuple[NT.GradientFn, str]:
    """The gradient function, and a line saying what it is."""
    if kind == "verified":
        return m.verified, "verified (the documents' backward pass, corrected)"
    if kind == "as-printed":
        return m.as_printed, "as printed in the documents"
    from derive.reports import training as RT

    checker = RT.checker_factor(m.name)
    per = checker["per_row"]
    c = "N" if per == 1 else f"{per:g} N"
    what = (f"as printed / c(N), c(N) = {c} (checker: {checker['message']} at N = "
            f"{checker['rows']})")
    return NT.rescaled(m.as_printed, per), what


def _batches(result: NT.TrainResult) -> str:
    from derive.reports import training as RT

    return ", ".join(f"{size} x{count}" for size, count in RT.batch_counts(result.batch_sizes))


def _table(rows: list[tuple[str, float, float, str]], out: TextIO) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'test MSE':>10}  {'R^2':>7}", file=out)
    for name, mse, r2, note in rows:
        print(f"{name:{width}}  {mse:10.4f}  {r2:7.4f}{'  ' + note if note else ''}", file=out)


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    config = _config(args)
    _check_limits(args)
    try:
        m = NT.model(args.model, args.hidden)
    except ValueError as exc:
        raise InputError(_option_message(str(exc))) from exc
    data, why = _load(args)
    split = ND.prepare(data)
    gradient, what = _gradient(m, args.gradient)
    print(f"{m.title}, {m.source}", file=out)
    print(f"data: {data.title}, {data.X.shape[0]} rows, {data.X.shape[1]} features; train "
          f"{len(split.y_train)}, test {len(split.y_test)} (split seed {split.seed}; "
          "standardized on all rows, as the documents do)", file=out)
    if data.name != "boston":
        print(f"data: {why}", file=out)
    print(f"gradient: {what}", file=out)

    bar = None if args.quiet or not _isatty(err) else ProgressBar(config.n_iter, err)
    callback: Callable[[NT.Step], None] | None = bar
    result = NT.train(m, split.X_train, split.y_train, gradient, config, callback=callback)
    if bar is not None:
        bar.close()
    print(f"learning rate {config.learning_rate:g}, batches {_batches(result)} (the documents' "
          f"loop shrinks them), {len(result.losses)} iterations, seed {config.seed}: "
          f"{result.seconds:.2f} s", file=out)
    if result.diverged_at is not None:
        print(f"training diverged: loss not finite at iteration {result.diverged_at + 1}; "
              "lower --learning-rate", file=out)
        return 1
    _report(args, m, result, split, data, out)
    return 0


def _report(args: argparse.Namespace, m: NT.Model, result: NT.TrainResult, split: ND.Split,
            data: ND.Dataset, out: TextIO) -> None:
    from derive.reports import training as RT
    from derive.reports import training_plots as RP

    ours = NT.score(m, result.weights, split.X_test, split.y_test)
    sk = RT.sklearn_linear(split)
    gap = ours["mse"] / sk["mse"] - 1.0
    note = f"(ours {gap:+.2%})" if m.name == "linear" else "(the linear baseline)"
    rows = [(f"ours ({args.gradient})", ours["mse"], ours["r2"], ""),
            ("least squares (LinearRegression)", sk["mse"], sk["r2"], note)]
    if data.name == "boston":
        printed = RT.PRINTED[m.name]
        rows += [("the documents print (as printed, 10000 it.)", printed["mse"], printed["r2"],
                  ""),
                 ("the documents print for scikit-learn", RT.PRINTED["sklearn"]["mse"],
                  RT.PRINTED["sklearn"]["r2"], "")]
    _table(rows, out)
    if args.plots is not None:
        predicted = m.predict(split.X_test, **result.weights)
        files = plot_files(m, args.gradient, result, split.y_test, predicted,
                           RP.TARGETS.get(data.name, "target"))
        written = write_plots(args.plots, files)
        print("plots: " + ", ".join(str(p) for p in written), file=out)
    else:
        print("plots (loss curve, predicted against actual): add --plots DIR", file=out)
