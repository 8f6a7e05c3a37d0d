"""Development settings: debug on, everything else from the environment."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", default=True)
