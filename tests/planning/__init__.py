"""Tests of the shot planner."""
