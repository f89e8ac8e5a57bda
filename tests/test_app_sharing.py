"""Links that reproduce a view, and observations in and out as CSV, with no browser."""

import numpy as np
import pytest

import mle_core
from mle_explorer.data_io import MAX_FILE_POINTS, DataFiles, observations_csv, parse_csv
from mle_explorer.explorer import MLEExplorer
from mle_explorer.sharing import (
    MAX_QUERY_CHARS,
    MAX_SHARED_POINTS,
    ShareLink,
    parse_share_query,
    read_link_query,
    share_query,
)
from mle_explorer.state import EXAMPLE_OBSERVATIONS, ExplorerState


@pytest.mark.parametrize("scenario", ["five_measurements", "weighted_coin", "factory_defects", "bulb_wear_out"])
def test_a_link_reproduces_the_view_exactly(scenario):
    teacher = ExplorerState()
    teacher.load_scenario(scenario)
    teacher.set_parameters(**{name: value * 1.1 + 0.01 for name, value in teacher.theta.items()})
    student = ExplorerState()
    ShareLink(state=student).restore(share_query(teacher))
    assert student.family == teacher.family
    assert student.constants == teacher.constants
    assert student.theta == teacher.theta  # exact: numbers travel as repr
    assert student.observations.tolist() == teacher.observations.tolist()
    assert student.log_likelihood == teacher.log_likelihood
    student.undo()  # one step back to where the student was
    assert student.family == "gaussian"
    assert student.n == 5


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"family": "cauchy"}, "unknown family"),
        ({"family": "poisson", "x": "1,2,abc"}, "observation 3 is not a number"),
        ({"family": "poisson", "x": "1,-2"}, "non-negative integers"),
        ({"family": "gaussian", "sigma": "-1"}, "sigma = -1.0 is outside its range"),
        ({"mu": "nan"}, "not a finite number"),
        ({"family": "binomial", "n_trials": "0"}, "n_trials"),
        ({"x": ",".join(["1"] * (MAX_SHARED_POINTS + 1))}, "at most 1,000"),
        ({"x": "1" * (MAX_QUERY_CHARS + 1)}, "too long"),
    ],
)
def test_a_malformed_link_opens_the_default_view_with_a_notice(query, message):
    state = ExplorerState()
    ShareLink(state=state).restore(query)
    assert state.family == "gaussian"
    assert state.observations.tolist() == [2.3, 1.9, 2.5, 2.8, 1.7]
    assert state.theta == {"mu": 0.0, "sigma": 1.0}
    assert "could not be opened" in state.notice
    assert message in state.notice


def test_a_link_without_our_parameters_changes_nothing():
    state = ExplorerState()
    ShareLink(state=state).restore({"theme": "dark"})
    assert state.notice == ""
    assert parse_share_query({"theme": "dark"}) is None


def test_a_large_data_set_shares_its_model_but_says_the_data_do_not_fit():
    explorer = MLEExplorer()
    explorer.state.set_observations(np.arange(MAX_SHARED_POINTS + 1, dtype=float))
    explorer.share.button.clicks += 1
    assert "x=" not in explorer.share.link.value
    assert "family=gaussian" in explorer.share.link.value
    assert "download them as CSV" in explorer.state.notice


def test_the_share_button_shows_the_link():
    explorer = MLEExplorer()
    explorer.share.button.clicks += 1
    assert explorer.share.link.visible
    assert explorer.share.link.value.endswith("x=2.3,1.9,2.5,2.8,1.7")
    assert parse_share_query(dict(pair.split("=") for pair in explorer.share.link.value.lstrip("?").split("&")))


def test_csv_round_trip_is_exact():
    values = np.random.default_rng(3).normal(1e8, 1e-3, 500)
    assert parse_csv(observations_csv(values)).tolist() == values.tolist()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x\n1\n2\nabc\n4\n", "row 4 ('abc') is not a number"),
        ("1\nnan\n", "row 2 ('nan') is not a finite number"),
        ("1\n2\n-inf\n", "row 3 ('-inf') is not a finite number"),
        ("1\n2,3\n", "row 2 ('2,3') has more than one value"),
        ("", "no numbers"),
        ("hours\n", "no numbers"),
        ("1e309\n", "row 1 ('1e309') is not a finite number"),
    ],
)
def test_parse_csv_names_the_bad_row(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_csv(text)


def test_parse_csv_accepts_a_header_blank_rows_padding_and_the_minus_sign():
    assert parse_csv("hours\n1\n\n 2.5 \n−3\n").tolist() == [1.0, 2.5, -3.0]
    assert parse_csv("x\n1\n2\n").tolist() == [1.0, 2.0]  # the fast path


@pytest.mark.parametrize("space", ["\u00a0", "\u2003", "\u3000"])
def test_a_row_split_by_a_non_breaking_or_other_unicode_space_is_two_values_named_by_their_row(space):
    # str.split() split such a row into two observations, where an ordinary space was refused; a single such
    # row then crashed the upload's row lookup (IndexError, no notice).
    with pytest.raises(ValueError, match=r"row 1 .* has more than one value"):
        parse_csv(f"1{space}2\n3\n")
    state = ExplorerState()
    state.switch_family("exponential", clear=True)
    assert not DataFiles(state=state).load_file("data.csv", f"5{space}-1\n".encode())
    assert "row 1" in state.notice
    assert "more than one value" in state.notice
    assert state.n == 0


def test_spreadsheet_exports_are_read_headers_with_digits_trailing_separators_and_windows_1252():
    assert parse_csv("x1\n1\n2\n").tolist() == [1.0, 2.0]
    assert parse_csv("Week 1\n1\n2\n").tolist() == [1.0, 2.0]
    assert parse_csv("CO2,\n1200,\n800;\n950 ,;\n").tolist() == [1200.0, 800.0, 950.0]
    state = ExplorerState()
    assert DataFiles(state=state).load_file("excel.csv", "Größe (µm)\r\n2,5\r\n".replace(",", ".").encode("cp1252"))
    assert state.observations.tolist() == [2.5]


def test_a_windows_1252_file_with_a_bad_row_names_the_row_and_a_binary_one_is_not_text():
    state = ExplorerState()
    files = DataFiles(state=state)
    assert not files.load_file("excel.csv", "Größe\r\n1\r\nabc\r\n".encode("cp1252"))
    assert "row 3 ('abc') is not a number" in state.notice
    for binary in (bytes(range(256)), "1\n2\n".encode("utf-16")):
        assert not files.load_file("data.bin", binary)
        assert "not text (UTF-8 or Windows-1252)" in state.notice
    assert state.n == 5


def test_a_first_row_that_is_a_number_gone_wrong_is_not_taken_for_a_header():
    for bad in ("12a", "1.2.3", "(3)"):
        with pytest.raises(ValueError, match=r"row 1 .* is not a number"):
            parse_csv(f"{bad}\n1\n2\n")


def test_counts_beyond_the_binomial_s_trials_name_the_trials():
    state = ExplorerState()
    state.switch_family("binomial", clear=True)
    state.set_constant("n_trials", 10)
    assert not DataFiles(state=state).load_file("counts.csv", b"3\n17\n")
    assert "m = 10 here" in state.notice
    assert "row 2 (17)" in state.notice


def test_parse_csv_refuses_more_than_the_limit():
    with pytest.raises(ValueError, match="more than 3 numbers"):
        parse_csv("1\n2\n3\n4\n", limit=3)
    assert MAX_FILE_POINTS >= 1_000_000


def test_an_upload_with_one_bad_row_is_refused_and_changes_nothing():
    explorer = MLEExplorer()
    before = explorer.state.observations.tolist()
    explorer.files.upload.value = {"lifetimes.csv": b"hours\n1200\n800\nabout 950\n1500\n"}
    assert explorer.state.observations.tolist() == before
    assert "Nothing loaded from lifetimes.csv" in explorer.state.notice
    assert "row 4 ('about 950') is not a number" in explorer.state.notice


def test_an_upload_outside_the_family_support_names_the_rows():
    state = ExplorerState()
    state.switch_family("poisson", clear=True)
    files = DataFiles(state=state)
    assert not files.load_file("counts.csv", b"count\n3\n1\n\n2.5\n-1\n")
    assert "row 5 (2.5), row 6 (−1)" in state.notice
    assert state.n == 0


def test_a_good_upload_replaces_the_data_and_undo_brings_them_back():
    explorer = MLEExplorer()
    explorer.files.upload.value = {"x.csv": b"x\n1\n2\n3\n"}
    assert explorer.state.observations.tolist() == [1.0, 2.0, 3.0]
    assert "Loaded 3 observations" in explorer.state.notice
    explorer.state.undo()
    assert explorer.state.n == 5


def test_binary_or_oversized_files_are_refused():
    state = ExplorerState()
    files = DataFiles(state=state)
    assert not files.load_file("photo.png", b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert "not text" in state.notice
    assert not files.load_file("huge.csv", b"1\n" * 10_500_001)
    assert "larger than 20 MB" in state.notice
    assert state.n == 5


def test_download_gives_the_observations_as_csv():
    explorer = MLEExplorer()
    text = explorer.files._csv().getvalue()
    assert text == "x\n2.3\n1.9\n2.5\n2.8\n1.7\n"
    assert mle_core.fit("gaussian", parse_csv(text)) == mle_core.fit("gaussian", explorer.state.observations)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A 19,000-character family name was quoted whole; 1e300 trials printed as a 301-digit integer.
        ({"family": "x" * 19_000}, "unknown family 'xxxxxxxxxxxxxxxxxxxx'…; choose one of: gaussian"),
        ({"family": "binomial", "n_trials": "1e300"}, "m must be at most 100,000 here, got 1 × 10³⁰⁰"),
        # Observations outside the support were "at index 2", counted from 0, and quoted after rounding (0.0).
        ({"family": "poisson", "x": "1,2,2.5"}, "observation 3 ('2.5')"),
        ({"family": "exponential", "x": "1,2,1e-400"}, "observation 3 ('1e-400')"),
        ({"family": "binomial", "n_trials": "10", "x": "3,4,15"}, "(m = 10 here): observation 3 ('15')"),
    ],
)
def test_a_refused_link_says_what_is_wrong_briefly_and_counts_observations_from_one(query, expected):
    notice = notice_of_a_refused_link(query)
    assert expected in notice
    assert len(notice) < 300


def notice_of_a_refused_link(query) -> str:
    """The notice a new session shows for a link it refuses (after checking its data did not change)."""
    explorer = MLEExplorer()
    before = explorer.state.observations.tolist()
    explorer.share.restore(query)
    assert explorer.state.observations.tolist() == before
    return explorer.state.notice


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Another family's keys were dropped without a word: the view opened at values the link did not give.
        ({"family": "poisson", "mu": "1", "x": "1,2"}, "the Poisson (counts) family has no 'mu' (its own: rate)"),
        ({"rate": "2", "x": "1,2"}, "the Gaussian (normal) family has no 'rate' (its own: mu, sigma)"),
        ({"family": "exponential", "true_mu": "1", "x": "1"}, "has no 'true_mu'"),
    ],
)
def test_a_link_with_another_family_s_keys_is_refused(query, expected):
    assert expected in notice_of_a_refused_link(query)


def test_a_link_giving_a_key_twice_is_refused_not_settled_by_the_last():
    with pytest.raises(ValueError, match="the link gives 'mu' 2 times; a view has one value for each"):
        read_link_query("?family=gaussian&mu=1&x=1,2&mu=2")
    # Keys that are not the view's (a campaign tag, say) may repeat: they are not read.
    assert read_link_query("?utm=a&utm=b&mu=1") == {"utm": "b", "mu": "1"}
    # On a server the query comes from the request, each key with its list of values.
    explorer = MLEExplorer()
    explorer.share.restore_from_request({"mu": [b"1", b"2"], "x": [b"1,2"]})
    assert "the link gives 'mu' 2 times" in explorer.state.notice
    assert explorer.state.observations.tolist() == list(EXAMPLE_OBSERVATIONS)
    explorer.share.restore_from_request({"mu": [b"1.5"], "x": [b"1,2"]})
    assert (explorer.state.observations.tolist(), explorer.state.theta["mu"]) == ([1.0, 2.0], 1.5)


def test_a_plus_typed_in_a_link_s_exponent_is_read_though_the_query_makes_it_a_space():
    # "?mu=1e+2" reaches the app as "1e 2" (a "+" in a query is a space) and was refused as not a number.
    query = read_link_query("?x=1e+2,-3e+1&mu=2.5e+1")
    explorer = MLEExplorer()
    explorer.share.restore(query)
    assert explorer.state.observations.tolist() == [100.0, -30.0]
    assert explorer.state.theta["mu"] == 25.0
    assert "is not a number ('1 2')" in notice_of_a_refused_link({"x": "1 2"})


def test_a_link_reads_the_minus_sign_the_readout_shows():
    explorer = MLEExplorer()
    explorer.share.restore({"x": "\u22121.5,2", "mu": "\u22120.25"})
    assert explorer.state.observations.tolist() == [-1.5, 2.0]
    assert explorer.state.theta["mu"] == -0.25


def opened_from(state: ExplorerState, **page_keys: str) -> MLEExplorer:
    """A new session opened from the link ``state`` makes (plus the page's own keys, e.g. theme='dark')."""
    explorer = MLEExplorer()
    explorer.share.restore({**share_query(state), **page_keys})
    return explorer


def test_a_link_carries_the_scenario_and_the_truth_its_data_came_from():
    # The theme switch reloads through a link: the scenario (its story, the axis unit) and the true parameters
    # of a drawn sample were lost, and with them the lesson.
    state = ExplorerState()
    state.load_scenario("machine_errors")
    opened = opened_from(state, theme="dark").state
    assert opened.scenario == "machine_errors"
    assert opened.true_parameters == state.true_parameters == {"rate": 3.2}
    assert opened.observations.tolist() == state.observations.tolist()

    state = ExplorerState(rng=7)
    state.switch_family("exponential", clear=True)
    state.draw_sample(40, rate=0.002)
    opened = opened_from(state).state
    assert opened.true_parameters == {"rate": 0.002}
    assert opened.scenario == ""
    assert opened.observations.tolist() == state.observations.tolist()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"family": "gaussian", "scenario": "machine_errors", "x": "1"}, "no Gaussian (normal) scenario"),
        ({"family": "poisson", "scenario": "nonsense", "x": "1"}, "no Poisson (counts) scenario 'nonsense'"),
        ({"family": "gaussian", "true_mu": "1", "x": "1"}, "need true_sigma too"),
        ({"family": "exponential", "true_rate": "-1", "x": "1"}, "rate = -1.0 is outside its range"),
    ],
)
def test_a_link_with_a_scenario_or_truth_that_does_not_fit_is_refused(query, expected):
    assert expected in notice_of_a_refused_link(query)


def test_a_link_near_the_limit_still_opens_with_the_theme_added():
    # A view whose link was just under 20,000 characters lost its data once ?theme=dark was added to it.
    value = -1.2345678901234567e-105  # 24 characters in a link, 25 with its comma
    state = ExplorerState()
    longest = None
    for n in range(700, MAX_SHARED_POINTS + 1):
        state.set_observations([value] * n)
        if "x" not in share_query(state):
            break
        longest = n
    assert longest is not None
    assert longest < MAX_SHARED_POINTS  # the characters, not the count, decided
    state.set_observations([value] * longest)
    size = sum(len(key) + len(text) for key, text in share_query(state).items())
    assert size + 25 <= MAX_QUERY_CHARS  # one more observation would still have fitted without the room kept
    opened = opened_from(state, theme="dark", presentation="1").state
    assert opened.observations.tolist() == state.observations.tolist()
