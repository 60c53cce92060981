"""The Amazon States Language interpreter of the embedded Flows service.

It runs the subset Globus Flows documents (Action, Pass, Choice, Wait, Fail, Succeed, with
``.$`` paths and ``.=`` expressions in Parameters) against action providers the service
offers through ``ActionPorts``; ``check_definition`` refuses what it would not run.
"""

from gtui.sim.flows.asl.check import action_urls, check_definition
from gtui.sim.flows.asl.interpreter import Interpreter
from gtui.sim.flows.asl.ports import ActionPorts, ActionStatus, ActionUnknown, RunInfo

__all__ = [
    "ActionPorts",
    "ActionStatus",
    "ActionUnknown",
    "Interpreter",
    "RunInfo",
    "action_urls",
    "check_definition",
]
