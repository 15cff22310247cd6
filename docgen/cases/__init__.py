"""Supervision cases: one procedure from 意见书 to 整改报告 to 决定书 and 复查, with its deadline watched."""
