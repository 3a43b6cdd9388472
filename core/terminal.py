"""A command's progress on a terminal: one line rewritten in place."""


class Counter:
    """``counter(done, total)`` rewrites one line, "12,000 / 50,000 devices", while the
    command's output is a terminal; elsewhere (a log, a pipe, a test) it writes nothing, so
    the output holds only the result. ``finish()`` ends the line."""

    def __init__(self, stdout, noun):
        self.stdout = stdout
        self.noun = noun
        self.live = stdout.isatty()
        self.shown = False

    def __call__(self, done, total):
        if self.live:
            self.stdout.write(f"\r{done:,} / {total:,} {self.noun}", ending="")
            self.stdout.flush()
            self.shown = True

    def finish(self):
        if self.shown:
            self.stdout.write("")
            self.shown = False
