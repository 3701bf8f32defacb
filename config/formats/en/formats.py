"""One date format for everybody, editors included: "15 January 2026", as the public pages write it.

Django's own English formats ("Jan. 15, 2026") would otherwise win over settings.DATE_FORMAT,
since localisation is always on. Inputs keep ISO dates (2026-01-15), which the admin's calendar
writes and every help text gives as the example.
"""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
