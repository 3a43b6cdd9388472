"""Device search: one engine behind the header search, the catalog's name box and the
compare widget, tolerant of typos and spacing, ranked by relevance.

The index lives in each process, built from one query over every device's name, brand,
status and release date (plus the popularity core.search's registry gives) the first time
a search runs under a content version, and reused until the version moves (see
core.content). Searching is then Python and rapidfuzz over the folded names: the same
results on SQLite and PostgreSQL, and no SQL per search. The README says why and what it
costs.

Matching, on names folded as everywhere (``core.search.fold``: case and accents ignored),
cut into words (letters and digits):

1. **exact**: the query without its spaces is the name (or brand and name) without its
   spaces ("iphone12" is "iPhone 12", "galaxy s 21" is "Galaxy S21");
2. **prefix**: the name (or brand and name) starts with it;
3. **all words**: every query word is in the name or brand, as today ("laxy" in
   "Galaxy"), or the query without spaces is inside the name without spaces;
4. **near**: every word matches a word of the name with at most ``allowed_typos(word)``
   edits (a swap of two adjacent letters counts as one); a word run together ("galxys21")
   may be split in two, two words may be joined ("s 21"); with two words or more, one may
   be an abbreviation ("mx" for "max").

Within a tier, fewer typos first; then status (available, then announced or rumoured,
then discontinued, then cancelled), newer, more popular, name.
"""

import bisect
import functools
import json
import re
import threading
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
from django.db import connection
from django.db.models.expressions import RawSQL
from django.urls import reverse
from rapidfuzz import process
from rapidfuzz.distance import OSA

from core.content import content_version
from core.search import device_popularity, fold

from . import loading
from .models import STATUS_RANK, Device

MAX_QUERY_CHARS = 100
MAX_WORDS = 8
MAX_WORD_CHARS = 40
_WORD = re.compile(r"\w+")

EXACT, PREFIX, WORDS, NEAR, NO_MATCH = range(5)

# Costs within the near tier (a typo costs 1).
SPLIT_COST = 0.5
ABBREVIATION_COST = 1.5
# The longest query word read as an abbreviation ("mx", "ultr", not "pixel").
MAX_ABBREVIATION = 4
# Per word of the name (brand aside) the query did not ask for: "galxy s21" puts
# "Galaxy S21" before "Galaxy S21 Ultra" whatever their status.
EXTRA_WORD_COST = 0.25
# Answers of the search boxes (a few ids each) an index remembers, the most recent kept:
# people type the same few words again and again ("pro", "galaxy").
ANSWERS_REMEMBERED = 4096
# Rows of the devices the search boxes listed that an index keeps (about 300 bytes each): a
# popular device is listed by many queries, and reading ten devices cost a query that took
# as long as the search (1.5 ms on PostgreSQL).
ROWS_REMEMBERED = 20_000


def allowed_typos(word):
    """Edits tolerated in a query word: none in a short word or one with digits (a model
    number: "s21" is not "s22"), one in 5–8 letters, two in longer ones. (A short word of
    3–4 letters may still have two neighbours swapped: see ``swaps_allowed``.)"""
    if len(word) <= 4 or any(ch.isdigit() for ch in word):
        return 0
    return 1 if len(word) <= 8 else 2


def swaps_allowed(word):
    """Whether a short word may be a known one with two neighbouring letters swapped ("zne"
    for "zen", "mkae"): 3–4 letters, no digit (in "s12" and "s21" both are models)."""
    return 3 <= len(word) <= 4 and not any(ch.isdigit() for ch in word)


def words_of(text):
    """Folded words of ``text``: letters, digits and "_", without punctuation."""
    return [word for word in _WORD.findall(fold(text or "")) if word.strip("_")]


def query_words(query):
    """The words of a visitor's query, bounded: at most MAX_WORDS of MAX_WORD_CHARS."""
    text = (query or "")[:MAX_QUERY_CHARS]
    return [word[:MAX_WORD_CHARS] for word in words_of(text)][:MAX_WORDS]


def _is_abbreviation(short, word):
    """Whether ``short`` ("mx") is ``word`` ("max") with letters left out, first kept."""
    if len(short) >= len(word) or not short or short[0] != word[0]:
        return False
    letters = iter(word)
    return all(ch in letters for ch in short)


class Index:
    """The folded names of every device, in arrays each tier reads fast.

    Devices are numbered by their rank among equal matches (status, newer, popular, name),
    so a device's number orders it within a tier. Each vocabulary word has the numbers of
    the devices that have it (numpy arrays): a query word is a handful of vocabulary words,
    and each tier is a few array operations over every device, not a loop in Python.
    """

    def __init__(self, rows, popularity):
        # rows: (id, slug, name, brand name, status, released) of every device;
        # popularity: {slug: score}.
        def order(row):
            pk, slug, folded, _brand, status, released = row
            return (
                STATUS_RANK[status],
                released is None,
                -released.toordinal() if released else 0,
                -popularity.get(slug, 0),
                folded,
                pk,
            )

        rows = sorted(
            (
                (pk, slug, fold(name), brand, status, released)
                for pk, slug, name, brand, status, released in rows
            ),
            key=order,
        )
        self.size = size = len(rows)
        self.ids = np.array([row[0] for row in rows], dtype=np.int64)
        self.words = []
        exact, prefixes, postings, model_postings = {}, [], {}, {}
        model_counts = np.zeros(size, dtype=np.float32)
        brands = {}
        for rank, (_pk, _slug, folded, brand, _status, _released) in enumerate(rows):
            name_words = [word for word in _WORD.findall(folded) if word.strip("_")]
            if brand not in brands:
                brands[brand] = words_of(brand)
            brand_words = brands[brand]
            # The brand counts as words of the name unless the name already says it.
            extra = [] if " ".join(brand_words) in " ".join(name_words) else brand_words
            all_words = tuple(name_words + extra)
            self.words.append(all_words)
            # Words that tell the model apart (the brand aside): those a query leaves out
            # rank a device lower among equal matches.
            model_words = {w for w in name_words if w not in brand_words}
            model_counts[rank] = len(model_words)
            for word in model_words:
                model_postings.setdefault(word, []).append(rank)
            # Exact and prefix matches with or without the brand ("pixel 5" is
            # "Google Pixel 5", "samsung galaxy" starts "Galaxy S21" by Samsung).
            compacts = {"".join(name_words), "".join(extra + name_words)}
            if brand_words and name_words[: len(brand_words)] == brand_words:
                compacts.add("".join(name_words[len(brand_words) :]))
            for compact in compacts:
                if compact:
                    exact.setdefault(compact, []).append(rank)
                    prefixes.append((compact, rank))
            for word in set(all_words):
                postings.setdefault(word, []).append(rank)
        self.model_counts = model_counts
        self.exact = {key: np.array(ranks) for key, ranks in exact.items()}
        prefixes.sort()
        self.prefix_keys = [key for key, _ in prefixes]
        self.prefix_ranks = np.array([rank for _, rank in prefixes], dtype=np.int64)
        self.postings = {word: np.array(ranks) for word, ranks in postings.items()}
        self.model_postings = {w: np.array(ranks) for w, ranks in model_postings.items()}
        self.vocabulary = sorted(postings)
        self.by_length = {}
        for word in self.vocabulary:
            self.by_length.setdefault(len(word), []).append(word)
        # Every compact name, one after the other, for "the query without spaces is
        # inside the name without spaces": one C-speed find per match.
        lengths = [len("".join(all_words)) + 1 for all_words in self.words]
        self.compact_starts = np.cumsum([0, *lengths[:-1]]) if lengths else np.array([0])
        self.compact_text = "".join("".join(all_words) + "\n" for all_words in self.words)
        # Per index, so per content version: a change of content forgets every answer and
        # every row.
        self.best = functools.lru_cache(maxsize=ANSWERS_REMEMBERED)(self._best)
        self.rows = {}

    # Word level

    def containing(self, piece):
        """Vocabulary words that contain ``piece``."""
        return [word for word in self.vocabulary if piece in word]

    def near_words(self, word):
        """{vocabulary word: cost} for a query word in the near tier: 0 where it is part of
        the word, the number of edits where within ``allowed_typos``."""
        costs = dict.fromkeys(self.containing(word), 0)
        typos = allowed_typos(word)
        if typos:
            choices = []
            for length in range(len(word) - typos, len(word) + typos + 1):
                choices += self.by_length.get(length, [])
            for match, distance, _ in process.extract(
                word, choices, scorer=OSA.distance, score_cutoff=typos, limit=None
            ):
                costs.setdefault(match, distance)
        elif swaps_allowed(word):
            letters = sorted(word)
            for match, distance, _ in process.extract(
                word,
                self.by_length.get(len(word), []),
                scorer=OSA.distance,
                score_cutoff=1,
                limit=None,
            ):
                # One edit with the same letters: two neighbours swapped.
                if distance == 1 and sorted(match) == letters:
                    costs.setdefault(match, 1)
        return costs

    def mask(self, words, postings=None):
        """A boolean array: the devices having any of ``words``."""
        postings = self.postings if postings is None else postings
        found = np.zeros(self.size, dtype=bool)
        for word in words:
            if word in postings:
                found[postings[word]] = True
        return found

    def extra_words(self, matched_words):
        """Per device, how many of its model words are not among ``matched_words``."""
        matched = np.zeros(self.size, dtype=np.float32)
        for word in matched_words:
            if word in self.model_postings:
                matched[self.model_postings[word]] += 1
        return self.model_counts - matched

    # Tiers

    def prefix_ranks_of(self, compact):
        start = bisect.bisect_left(self.prefix_keys, compact)
        stop = bisect.bisect_left(self.prefix_keys, compact + "\U0010ffff", lo=start)
        return self.prefix_ranks[start:stop]

    def compact_ranks(self, compact):
        """Devices whose compact name contains ``compact``."""
        found, text, position = [], self.compact_text, 0
        starts = self.compact_starts
        while (position := text.find(compact, position)) >= 0:
            rank = int(np.searchsorted(starts, position, side="right")) - 1
            found.append(rank)
            position = int(starts[rank + 1]) if rank + 1 < self.size else len(text)
        return np.array(found, dtype=np.int64)

    def word_matches(self, words):
        """(mask, cost) of devices with every word somewhere in their words; cost: how
        many words are only inside a word, not at its start, and the extra-word cost."""
        every = np.ones(self.size, dtype=bool)
        inside = np.zeros(self.size, dtype=np.float32)
        matched = set()
        for word in words:
            containing = self.containing(word)
            matched.update(containing)
            anywhere = self.mask(containing)
            every &= anywhere
            if not every.any():
                return every, inside
            starting = self.mask([w for w in containing if w.startswith(word)])
            inside += anywhere & ~starting
        return every, inside + EXTRA_WORD_COST * self.extra_words(matched)

    def units(self, words):
        """The query as units to match in the near tier, each {vocabulary word: cost}:
        two words joined when together they are a word ("s 21"), a word split in two when
        it matches nothing but its halves do ("galxys21"); None where a unit matches
        nothing. Also the query word each unit stands for (for abbreviations)."""
        units, position = [], 0
        while position < len(words):
            word = words[position]
            if position + 1 < len(words):
                joined = word + words[position + 1]
                if joined in self.postings:
                    units.append(({joined: SPLIT_COST}, joined))
                    position += 2
                    continue
            costs = self.near_words(word)
            if not costs:
                split = self.split(word)
                if split:
                    units += split
                    position += 1
                    continue
            units.append((costs or None, word))
            position += 1
        return units

    def split(self, word):
        """Two units for ``word`` run together ("galaxys21"), cheapest split first."""
        best = None
        for cut in range(2, len(word) - 1):
            head, tail = self.near_words(word[:cut]), self.near_words(word[cut:])
            if head and tail:
                cost = min(head.values()) + min(tail.values())
                if best is None or cost < best[0]:
                    best = (cost, cut, head, tail)
        if best is None:
            return None
        _, cut, head, tail = best
        return [({w: c + SPLIT_COST for w, c in head.items()}, word[:cut]), (tail, word[cut:])]

    def near_matches(self, words):
        """(mask, cost) of devices matching every unit of ``words`` within its typos; with
        two units or more, one may instead be an abbreviation of a word ("mx": "max")."""
        units = self.units(words)
        abbreviations_allowed = 1 if len(units) >= 2 else 0
        unknown = sum(1 for costs, _ in units if not costs)
        if unknown > abbreviations_allowed or unknown == len(units):
            return np.zeros(self.size, dtype=bool), None
        total = np.zeros(self.size, dtype=np.float32)
        abbreviated_units = np.zeros(self.size, dtype=np.int8)
        found = np.ones(self.size, dtype=bool)
        matched = set()
        for costs, word in units:
            best = np.full(self.size, np.inf, dtype=np.float32)
            for vocabulary_word, cost in (costs or {}).items():
                ranks = self.postings[vocabulary_word]
                best[ranks] = np.minimum(best[ranks], cost)
            matched.update(costs or ())
            missing = np.isinf(best)
            if abbreviations_allowed and 2 <= len(word) <= MAX_ABBREVIATION and missing.any():
                longer = [w for w in self.vocabulary if _is_abbreviation(word, w)]
                abbreviated = missing & self.mask(longer)
                best[abbreviated] = ABBREVIATION_COST
                abbreviated_units += abbreviated
                missing &= ~abbreviated
            found &= ~missing
            if not found.any():
                return found, None
            total += np.where(missing, 0, best)
        found &= abbreviated_units <= abbreviations_allowed
        return found, total + EXTRA_WORD_COST * self.extra_words(matched)

    # The whole search

    def search(self, query):
        """The devices matching ``query`` (a Matches)."""
        words = query_words(query)
        tier = np.full(self.size, NO_MATCH, dtype=np.int8)
        cost = np.zeros(self.size, dtype=np.float32)
        if not words or not self.size:
            return Matches(self, tier, cost)
        compact = "".join(words)
        if compact in self.exact:
            tier[self.exact[compact]] = EXACT
        prefixed = self.prefix_ranks_of(compact)
        tier[prefixed] = np.minimum(tier[prefixed], PREFIX)
        every, word_cost = self.word_matches(words)
        # Only a word that no name's word contains can span a space ("galaxys21",
        # "iphone12 pro"): only then may the query be inside a name without its spaces
        # and not match word by word.
        if any(not self.containing(word) for word in words):
            inside = self.compact_ranks(compact)
            word_cost[inside] = np.where(every[inside], word_cost[inside], 0.5)
            every[inside] = True
        better = every & (tier > WORDS)
        tier[better], cost[better] = WORDS, word_cost[better]
        near, near_cost = self.near_matches(words)
        better = near & (tier > NEAR)
        if better.any():
            tier[better], cost[better] = NEAR, near_cost[better]
        return Matches(self, tier, cost)

    def _best(self, words, limit):
        """(ids of the best ``limit`` matches, how many match, a suggestion when none does)
        for the query words ``words`` (a tuple); remembered as ``best``."""
        query = " ".join(words)
        matches = self.search(query)
        if matches.count:
            return tuple(matches.ids(0, limit)), matches.count, None
        return (), 0, self.suggestion(query) if words else None

    def devices(self, ids):
        """{id: device} of ``ids`` with brand and category (no chip), fresh instances each
        call; their rows are read once (one query for those never listed before) and kept
        while there is room."""
        missing = [pk for pk in ids if pk not in self.rows]
        read = loading.device_rows_read("pk", missing, chips=False) if missing else {}
        if len(self.rows) + len(read) <= ROWS_REMEMBERED:
            self.rows.update(read)
        build = loading.device_rows(chips=False).build
        rows = ((pk, self.rows.get(pk) or read.get(pk)) for pk in ids)
        return {pk: build(row) for pk, row in rows if row is not None}

    def suggestion(self, query):
        """A query close to ``query`` that finds devices ("galaxy s21" for "galaxx s21x"),
        made of the vocabulary's words, or None."""
        words = query_words(query)
        if not words or not self.vocabulary:
            return None
        suggested = []
        for word in words:
            if word in self.postings:
                suggested.append(word)
                continue
            best = process.extractOne(
                word, self.vocabulary, scorer=OSA.normalized_distance, score_cutoff=0.5
            )
            if best is not None:
                suggested.append(best[0])
        if not suggested or suggested == words:
            return None
        text = " ".join(suggested)
        return text if self.search(text).count else None


class Matches:
    """The devices a query matched: ``count``, and ``ids(start, stop)`` best first."""

    def __init__(self, index, tier, cost):
        self.index = index
        self.ranks = np.flatnonzero(tier < NO_MATCH)
        self.count = len(self.ranks)
        self._tier, self._cost = tier[self.ranks], cost[self.ranks]
        self._order = None

    def ordered(self):
        """Device numbers best first: tier, then cost, then rank among equals."""
        if self._order is None:
            self._order = self.ranks[np.lexsort((self.ranks, self._cost, self._tier))]
        return self._order

    def unordered_ids(self):
        """Ids of every match, in no particular order."""
        return self.index.ids[self.ranks].tolist()

    def ids(self, start=0, stop=None):
        """Ids of the matches from ``start`` to ``stop`` (all if None), best first."""
        return self.index.ids[self.ordered()[start:stop]].tolist()

    def tiers(self, start=0, stop=None):
        """(id, tier, cost) of the matches from ``start`` to ``stop``, best first."""
        ranks = self.ordered()[start:stop]
        position = np.searchsorted(self.ranks, ranks)
        return list(
            zip(
                self.index.ids[ranks].tolist(),
                self._tier[position].tolist(),
                self._cost[position].tolist(),
                strict=True,
            )
        )


UNAVAILABLE = "unavailable"
_lock = threading.Lock()
_current = (None, None)


def index():
    """The index of the current content version, built on first use in each process."""
    global _current
    version = content_version()
    built_for, built = _current
    # Without a version (its store unreachable) the last index serves rather than one
    # built per request.
    if built is not None and (built_for == version or version == UNAVAILABLE):
        return built
    with _lock:
        built_for, built = _current
        if built is None or (built_for != version and version != UNAVAILABLE):
            built = build_index()
            _current = (version, built)
    return built


def build_index():
    """A fresh Index of every device: one query (plus the popularity, where registered)."""
    rows = Device.objects.order_by().values_list(
        "pk", "slug", "name", "brand__name", "status", "released"
    )
    return Index(list(rows), device_popularity())


def search(query):
    """The devices matching ``query`` (a Matches), best first on demand."""
    return index().search(query)


def did_you_mean(query):
    """A nearby query that finds devices, for a query that found none; or None."""
    return index().suggestion(query)


@dataclass
class Found:
    """What a search box shows: the best ``devices``, how many match in all, and a nearby
    query that finds some when none match."""

    query: str
    devices: list
    count: int
    suggestion: str | None = None

    @property
    def more(self):
        """How many matches the list leaves out."""
        return self.count - len(self.devices)

    @property
    def all_url(self):
        """Every match, paged, in the same order: the catalog's name search."""
        return catalog_url(self.query)

    @property
    def suggestion_url(self):
        return catalog_url(self.suggestion) if self.suggestion else ""


def catalog_url(query):
    """The catalog's list of devices matching ``query``, best first."""
    text = (query or "")[:MAX_QUERY_CHARS]
    return f"{reverse('catalog:device-list')}?{urlencode({'q': text})}"


def find(query, limit):
    """A Found for ``query`` with its best ``limit`` devices: at most one query (none if
    nothing matches or every device was listed before), plus the index's own when the
    content version moved. The index remembers the answer to the same words
    (``Index.best``) and the rows of the devices it listed (``Index.devices``)."""
    current = index()
    ids, count, suggestion = current.best(tuple(query_words(query)), limit)
    found = current.devices(ids) if ids else {}
    return Found(query, [found[pk] for pk in ids if pk in found], count, suggestion)


def in_order(ids, queryset):
    """Devices of ``queryset`` with ``ids`` (a page of them) in that order; one query."""
    found = queryset.order_by().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def among(ids):
    """An expression for ``pk__in``: ``ids`` as one parameter, whatever their number (SQLite
    and PostgreSQL limit the parameters of a statement)."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(list(ids)),))
