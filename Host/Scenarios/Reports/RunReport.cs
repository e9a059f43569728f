using DaxHolder.Kernel.Trace;
using DaxHolder.Scenarios.Language;

namespace DaxHolder.Scenarios.Reports;

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

    /// <summary>The plugin fault that ended the cell early, or null when it ran to the end.</summary>
    public PluginFaultReport? Fault { get; init; }

    /// <summary>Every inline expectation held.</summary>
    public bool ExpectationsHeld => Steps.All(s => s.Expectations.All(e => e.Held));

    public IEnumerable<ExpectationOutcome> FailedExpectations => Steps.SelectMany(s => s.Expectations.Where(e => !e.Held));
}

/// <summary>
/// One step: its number (0 for set-up), what it did, its result (a return value such as "0" or
/// "-EIO", or what an access did), its slice of the decision trace (typed records in the order
/// the kernel walked, log lines among them) and the expectations.
/// </summary>
internal sealed record StepReport(
    int Number,
    string Kind,
    string What,
    StepResult Result,
    bool IsEvent,
    IReadOnlyList<Decision> Decisions,
    IReadOnlyList<ExpectationOutcome> Expectations)
{
    /// <summary>The kernel log lines the step printed, in order.</summary>
    public IReadOnlyList<string> Log => [.. Decisions.OfType<LogPrinted>().Select(l => l.Line.Text)];

    /// <summary>The device after the step (set-up, each event and the last step), when the runner was asked to take maps.</summary>
    public DeviceMap? Map { get; init; }
}

/// <summary>
/// One decision as reports show it: a short kind, the line for people (null for a record that only
/// tools see, such as an rmap query that found records) and typed fields for tools.
/// </summary>
internal sealed record DecisionView(string Kind, string? Text, IReadOnlyList<KeyValuePair<string, object?>> Fields)
{
    /// <summary>
    /// The kind as the JSON outputs name it: snake_case like every JSON name ("rmap-query" is
    /// "rmap_query"); the text report keeps <see cref="Kind"/> as it always printed it.
    /// </summary>
    public string Name => Kind.Replace('-', '_');
}

/// <summary>
/// A call into a plugin that threw, ran past its deadline or broke the contract: where in the
/// scenario (the step running), which plugin and version, the call and its arguments, how it
/// failed and the detail (the exception's type and message, the deadline, the rule).
/// </summary>
internal sealed record PluginFaultReport(SourceLocation At, string Plugin, string Version, string Call, string Arguments, string Kind, string Detail)
{
    /// <summary>"file.yaml:12:5: steps[3].event: plugin 'X' 1.0 faulted in Call(args): detail".</summary>
    public override string ToString() => $"{At}: plugin '{Plugin}' {Version} faulted in {Call}({Arguments}): {Detail}";
}

/// <summary>An inline expectation and whether it held; when not, what happened instead.</summary>
internal sealed record ExpectationOutcome(string Check, bool Held, string? Actual, SourceLocation At);
