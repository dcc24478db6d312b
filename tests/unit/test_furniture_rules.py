"""The furniture rules on a hand-built scrape: each kind of page furniture removed and named, the article kept."""

from __future__ import annotations

import pytest

from twosource.read.furniture import strip_furniture

BODY = [
    "Government forces advanced on two villages in the border mountains on Wednesday, a monitoring group said.",
    "Residents fled toward the frontier as shelling continued into the night.",
    "Aid agencies said at least 2,000 families had left their homes since the weekend.",
    "The monitor said the fighting was the heaviest in the area this year.",
    "A spokesman for the army said the operation would continue until the area was secure.",
    "Officials on both sides gave no figures for the dead.",
]
CAPTION = "Displaced families wait at a checkpoint near the border."
PAGE = "\n".join(
    [
        "Fighting flares in the border mountains",
        "By Jane Example",
        "12",
        BODY[0],
        "Photo: John Doe, Example Agency",
        BODY[1],
        CAPTION,
        CAPTION,
        "Read more: Ceasefire talks stall again",
        BODY[2],
        BODY[3],
        "Follow us on Twitter for the latest news.",
        BODY[4],
        BODY[5],
        "Previous article: Markets rally on ceasefire hopes",
        "Disclaimer: The views expressed here are solely those of the author and not necessarily the views of EXW.",
        "Jane Example is a freelance reporter who has covered the region since 2011.",
        "3 Comments",
        "This is the best coverage of the war I have read anywhere, thank you for publishing it.",
    ]
)


@pytest.fixture(scope="module")
def stripped():
    return strip_furniture(PAGE)


def test_the_article_is_kept_whole_and_in_order(stripped):
    assert stripped.text == "\n\n".join(BODY)


def test_title_author_and_outlet_are_found_on_the_way(stripped):
    assert (stripped.title, stripped.author, stripped.outlet) == (
        "Fighting flares in the border mountains",
        "Jane Example",
        "EXW",  # named by the site's own disclaimer
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("By Jane Example", "byline"),
        ("12", "counter (a lone number)"),
        ("Photo: John Doe, Example Agency", "picture credit"),
        (CAPTION, "image caption (printed twice)"),
        ("Read more: Ceasefire talks stall again", "link to another article"),
        ("Follow us on Twitter for the latest news.", "call to follow or subscribe"),
        ("Previous article: Markets rally on ceasefire hopes", "link to another article"),
        ("Jane Example is a freelance reporter who has covered the region since 2011.", "author bio"),
    ],
)
def test_each_piece_of_furniture_is_removed_and_named(stripped, line: str, reason: str):
    assert (line, reason) in [(r.text, r.reason) for r in stripped.removed]


def test_the_closing_block_goes_whole_readers_comments_included(stripped):
    reasons = {r.text: r.reason for r in stripped.removed}
    assert reasons[PAGE.split("\n")[15]] == "site notice or disclaimer"
    assert "thank you for publishing it" not in stripped.text


def test_a_call_to_follow_at_the_end_of_a_page_opens_its_closing_block():
    page = "\n".join(["Title of the story", *BODY, "Follow us", "Facebook", "Twitter", "Instagram"])
    result = strip_furniture(page)
    assert result.text == "\n\n".join(BODY)
    assert {r.text for r in result.removed} == {"Follow us", "Facebook", "Twitter", "Instagram"}


def test_a_short_page_keeps_its_first_lines_even_when_they_look_like_furniture():
    assert strip_furniture("Copyright law was changed on Tuesday.", find_title=False).text.startswith("Copyright law")
