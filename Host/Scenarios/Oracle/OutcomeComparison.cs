namespace DaxHolder.Scenarios.Oracle;

/// <summary>One compared item where the model and the real kernel differ.</summary>
internal sealed record OutcomeDifference(int Step, string Kind, string Aspect, string Model, string Real)
{
    public override string ToString() => $"step {Step} {Kind}: {Aspect}: model {Model}; real {Real}";
}

/// <summary>How a cell's real outcome and the model's prediction compare, item by item.</summary>
internal sealed record ComparisonResult(int Compared, IReadOnlyList<OutcomeDifference> Differences)
{
    public int Agreed => Compared - Differences.Count;
}

/// <summary>
/// Compares a real outcome with the model's, step by step (set-up and teardown are not compared):
/// the step's result, the signals handlers saw, task exits, the action results, shutdown, kernel
/// health, and the memory-failure log lines with pfns, addresses and pids masked
/// (<see cref="KernelLog.Normalize"/>). Lists are compared as sorted multisets: the kernel's
/// order of killing is not part of the contract the comparison checks.
/// </summary>
internal static class OutcomeComparison
{
    public static readonly string[] Aspects = ["result", "signals", "exits", "action results", "shutdown", "health", "memory-failure log"];

    public static ComparisonResult Compare(CellOutcome model, CellOutcome real)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(real);
        var differences = new List<OutcomeDifference>();
        var compared = 0;
        var modelPids = model.Pids.ToDictionary(p => p.Value, p => p.Key);
        var realPids = real.Pids.ToDictionary(p => p.Value, p => p.Key);
        foreach (var m in model.Steps.Where(s => s.Number > 0))
        {
            var r = real.Steps.FirstOrDefault(s => s.Number == m.Number);
            if (r is null)
            {
                continue;
            }

            foreach (var aspect in Aspects)
            {
                var (mv, rv) = Values(aspect, m, r, modelPids, realPids);
                if (mv is null || rv is null)
                {
                    continue;
                }

                compared++;
                if (mv != rv)
                {
                    differences.Add(new OutcomeDifference(m.Number, m.Kind, aspect, mv, rv));
                }
            }
        }

        return new ComparisonResult(compared, differences);
    }

    /// <summary>The two sides of one aspect as comparable text; null when that side has nothing to compare.</summary>
    public static (string? Model, string? Real) Values(string aspect, StepOutcome m, StepOutcome r, IReadOnlyDictionary<int, string> modelPids, IReadOnlyDictionary<int, string> realPids) => aspect switch
    {
        "result" => (m.Result, r.Result),
        "signals" => (Set(m.Signals.Select(s => s.ToString())), Set(r.Signals.Select(s => s.ToString()))),
        "exits" => (Set(m.Exits.Select(e => e.ToString())), Set(r.Exits.Select(e => e.ToString()))),
        "action results" => (Set(m.ActionResults), Set(r.ActionResults)),
        "shutdown" => (m.Shutdown ? "shut down" : "not shut down", r.Shutdown ? "shut down" : "not shut down"),
        "health" => (m.Health, r.Health),
        "memory-failure log" => (Set(KernelLog.MemoryFailureLines(m.Log).Select(l => KernelLog.Normalize(l, modelPids))),
                                 Set(KernelLog.MemoryFailureLines(r.Log).Select(l => KernelLog.Normalize(l, realPids)))),
        _ => (null, null),
    };

    private static string Set(IEnumerable<string> items)
    {
        var list = items.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "[]" : "[" + string.Join("; ", list) + "]";
    }
}
