#!/usr/bin/env python3
"""bench-peers' run_peers.py with England's bank holidays for `--holiday-country GB`.

    cd ../shared/bench-peers && python $OLDPWD/benches/python/run_peers_eng.py DATA --holiday-country GB ...

python-holidays' `GB` without a subdivision lists only the UK-wide days
(no Easter Monday, no Summer bank holiday); trusts in England close for
England's. This wrapper makes every `holidays.country_holidays("GB", ...)`
call (the harness's `*_hol` tree features) and Prophet's
`add_country_holidays` use subdivision ENG, the list
`prep_nhs_discharges.py --holidays` writes for hutano. Nothing else changes.
"""
from __future__ import annotations

import os
import sys

import holidays

_country_holidays = holidays.country_holidays


def _england(country, *args, **kwargs):
    if country in ("GB", "UK") and kwargs.get("subdiv") is None:
        kwargs["subdiv"] = "ENG"
    return _country_holidays(country, *args, **kwargs)


holidays.country_holidays = _england


def _prophet_england():
    """Prophet builds its table with `make_holidays_df(..., province=None)`."""
    from prophet import forecaster, make_holidays

    make_df = make_holidays.make_holidays_df

    def england_df(year_list, country, province=None, state=None):
        if country in ("GB", "UK") and province is None:
            province = "ENG"
        return make_df(year_list, country, province, state)

    make_holidays.make_holidays_df = england_df
    forecaster.make_holidays_df = england_df


_prophet_england()
sys.path.insert(0, os.getcwd())
import run_peers  # noqa: E402  (the harness, from the working directory)

if __name__ == "__main__":
    run_peers.main()
