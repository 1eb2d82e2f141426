"""Text folding for search and sorting, the one definition every app uses."""

from functools import lru_cache

from unidecode import unidecode


@lru_cache(maxsize=8192)  # agency and procedure names, sorted and searched over and over
def fold(text: str | None) -> str:
    """Lower-case, without Vietnamese diacritics, outer spaces dropped: 'Bạch Long Vĩ' -> 'bach long vi'.

    Searching folds both the stored text and the query, so 'Hải Phòng', 'hai phong' and 'HAI PHONG'
    all find the same rows."""
    return unidecode(text or "").lower().strip()
