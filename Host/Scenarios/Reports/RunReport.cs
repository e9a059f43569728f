using DaxHolder.Host.Scenarios.Language;

namespace DaxHolder.Host.Scenarios.Reports;

/// <summary>
/// What one scenario cell decided: a header naming the machine, then set-up and each step with
/// the decisions the kernel took (in the order it took them), the log lines it printed and the
/// inline expectations checked. Renderers turn it into text or JSON; nothing in it depends on
/// time or on the host, so the same scenario gives byte-identical output.
/// </summary>
internal sealed record RunReport(
    string Scenario,
    string? Description,
    IReadOnlyList<ScenarioSetting> Cell,
    string Kernel,
    string Device,
    string? FileSystem,
    IReadOnlyList<StepReport> Steps)
{
    /// <summary>"kernel=6.1 filesystem.mkfs.reflink=0", or "" for a scenario without a matrix.</summary>
    public string CellName => string.Join(' ', Cell.Select(s => s.ToString()));

    /// <summary>Every inline expectation held.</summary>
    public bool ExpectationsHeld => Steps.All(s => s.Expectations.All(e => e.Held));

    public IEnumerable<ExpectationOutcome> FailedExpectations => Steps.SelectMany(s => s.Expectations.Where(e => !e.Held));
}

/// <summary>
/// One step: its number (0 for set-up), what it did, its result (a return value such as "0" or
/// "-EIO", or what an access did), the decisions, the log slice and the expectations.
/// </summary>
internal sealed record StepReport(
    int Number,
    string Kind,
    string What,
    string Result,
    bool IsEvent,
    IReadOnlyList<DecisionView> Decisions,
    IReadOnlyList<string> Log,
    IReadOnlyList<ExpectationOutcome> Expectations);

/// <summary>One decision as reports show it: a short kind, the line for people, and typed fields for tools.</summary>
internal sealed record DecisionView(string Kind, string Text, IReadOnlyList<KeyValuePair<string, object?>> Fields);

/// <summary>An inline expectation and whether it held; when not, what happened instead.</summary>
internal sealed record ExpectationOutcome(string Check, bool Held, string? Actual, SourceLocation At);
