"""HarnessDataError: the summary and the first 50 located problems, then how many more."""

from bess_harness.errors import PROBLEMS_SHOWN, HarnessDataError, Problem


def test_str_lists_the_first_problems_then_how_many_more():
    problems = [Problem("labels.csv", i + 2, 5, f"unknown source 'synthetc' (row {i})") for i in range(120)]
    err = HarnessDataError("cannot read labels labels.csv: 120 problems in labels.csv", problems)
    lines = str(err).split("\n")
    assert lines[0] == "cannot read labels labels.csv: 120 problems in labels.csv"
    assert len(lines) == 1 + PROBLEMS_SHOWN + 1
    assert lines[1] == "labels.csv:2:5: unknown source 'synthetc' (row 0)"
    assert lines[PROBLEMS_SHOWN] == "labels.csv:51:5: unknown source 'synthetc' (row 49)"
    assert lines[-1] == "… and 70 more problems (err.problems holds every one)"
    assert len(err.problems) == 120


def test_str_of_a_few_problems_lists_them_all():
    problems = [Problem("m.csv", 3, 2, "bad")] * 3
    assert str(HarnessDataError("summary", problems)).split("\n") == ["summary"] + ["m.csv:3:2: bad"] * 3
