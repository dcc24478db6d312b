"""Live evidence at check time, besides the index: GDELT (news), Google Fact Check Tools (existing fact-checks),
Wikipedia (background). Each can be turned off; a service that is down, slow, rate-limiting or answering garbage
leaves a note in the report and never fails the check.

- GDELT's articles are fetched, read and cached into the index, where retrieval finds them like any other
  passage, under the same independence rules.
- Fact-checks and Wikipedia passages are shown in their own sections, never counted as independent outlets.

Each service is a provider behind one interface (``providers.Provider``); a check asks "the providers" through
``gather.ask_providers``, never a service by name. ``sources`` holds the settings (``LiveSources``) and the
helpers queries share, ``services`` the requests. Request and response shapes: ``../shared/docs/live-sources.md``.
Every request goes through the one fetcher.
"""

from .sources import GDELT_WINDOW_DAYS, LiveSources, ServiceError, Spacing, gdelt_window, key_terms

__all__ = ["GDELT_WINDOW_DAYS", "LiveSources", "ServiceError", "Spacing", "gdelt_window", "key_terms"]
