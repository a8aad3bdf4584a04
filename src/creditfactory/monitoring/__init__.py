"""monitoring — post-loan early warning (贷后预警): signals, warning levels, alerts, grade floors.

Pure domain (no I/O; networkx is the graph library for round trips). Modules:
    rules           signal rules as versioned data (trigger, family, severity, weight, half-life)
    events          external events (工商, 经营异常, 严重违法失信, 行政处罚, courts, tax) → signal kinds
    revenue         fall in invoiced revenue (reuses scoring.features)
    fundflow        use of funds, round trips (transfer-graph cycles), rapid in-and-out, 受托支付
    internal        DPD, bucket roll, repeated late payment, utilisation spike
    warning         decayed scores → green / yellow / orange / red per borrower and loan
    alerts          open → assigned → investigating → disposed | dismissed, SLA timers
    classification  warning grade floors and the debtor contagion rule (> 10 % non-performing)
    feeds           feed lines → events or rejects (malformed, unknown borrower, duplicate, late)
    ports           repositories, unit of work, event feed (Protocols)
    services        use cases: raise alerts, work them, apply floors — each step audited
    errors          the context's error tree
"""

from creditfactory.monitoring.alerts import (
    SLA_2025,
    Alert,
    AlertStatus,
    AlertStep,
    DispositionAction,
    SLAPolicy,
    model_subject,
)
from creditfactory.monitoring.classification import (
    CONTAGION_SHARE,
    Claim,
    contagion_floors,
    non_performing_share,
    target_floors,
)
from creditfactory.monitoring.errors import (
    DispositionIncomplete,
    InvalidAlertTransition,
    MalformedEvent,
    MonitoringError,
    UnknownSignalKind,
)
from creditfactory.monitoring.events import ExternalEvent, parse_event, signal_kind
from creditfactory.monitoring.fundflow import (
    CounterpartyCategory,
    Disbursement,
    FlowRules,
    RoundTrip,
    Transfer,
    fund_flow_hits,
    round_trips,
)
from creditfactory.monitoring.internal import LoanObservation, internal_hits
from creditfactory.monitoring.revenue import revenue_fall_kind
from creditfactory.monitoring.rules import (
    RULEBOOK_2025,
    RULEBOOK_2025_2,
    RULEBOOK_CURRENT,
    RuleBook,
    Severity,
    SignalFamily,
    SignalMode,
    SignalRule,
    WarningLevel,
)
from creditfactory.monitoring.warning import (
    Contribution,
    SignalHit,
    WarningAssessment,
    assess,
    assess_book,
)

__all__ = [
    "CONTAGION_SHARE",
    "RULEBOOK_2025",
    "RULEBOOK_2025_2",
    "RULEBOOK_CURRENT",
    "SLA_2025",
    "Alert",
    "AlertStatus",
    "AlertStep",
    "Claim",
    "Contribution",
    "CounterpartyCategory",
    "Disbursement",
    "DispositionAction",
    "DispositionIncomplete",
    "ExternalEvent",
    "FlowRules",
    "InvalidAlertTransition",
    "LoanObservation",
    "MalformedEvent",
    "MonitoringError",
    "RoundTrip",
    "RuleBook",
    "SLAPolicy",
    "Severity",
    "SignalFamily",
    "SignalHit",
    "SignalMode",
    "SignalRule",
    "Transfer",
    "UnknownSignalKind",
    "WarningAssessment",
    "WarningLevel",
    "assess",
    "assess_book",
    "contagion_floors",
    "fund_flow_hits",
    "internal_hits",
    "model_subject",
    "non_performing_share",
    "parse_event",
    "revenue_fall_kind",
    "round_trips",
    "signal_kind",
    "target_floors",
]
