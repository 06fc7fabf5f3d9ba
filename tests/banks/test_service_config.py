"""The detection service's settings from the environment: numbers, positive and finite, or a usage error."""

from __future__ import annotations

import pytest

from footprint.banks.config import ServiceConfig
from footprint.errors import UsageError


def test_settings_are_read_from_the_environment():
    config = ServiceConfig.from_env({"FOOTPRINT_API_HEAD_TIMEOUT": "2.5", "FOOTPRINT_API_BODY_TIMEOUT": "7",
                                     "FOOTPRINT_API_MAX_BODY": "1000", "FOOTPRINT_API_FETCH_HOSTS": "a:80, B"})
    assert (config.head_timeout, config.body_timeout, config.max_body) == (2.5, 7.0, 1000)
    assert config.fetch_hosts == {"a:80", "b"}
    assert ServiceConfig.from_env({}) == ServiceConfig()


@pytest.mark.parametrize("value", ["soon", "0", "-1", "inf", "nan"])
def test_a_timeout_that_is_no_positive_number_is_a_usage_error(value):
    with pytest.raises(UsageError, match="FOOTPRINT_API_HEAD_TIMEOUT"):
        ServiceConfig.from_env({"FOOTPRINT_API_HEAD_TIMEOUT": value})
