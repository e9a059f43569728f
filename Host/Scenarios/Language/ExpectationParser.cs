using YamlDotNet.RepresentationModel;

namespace DaxHolder.Scenarios.Language;

/// <summary>A step's <c>expect</c>: one block or a list of blocks, each optionally limited by <c>when</c>.</summary>
internal sealed partial class ScenarioParser
{
    private static readonly string[] ActionResults = ["Recovered", "Failed", "Ignored", "Delayed"];

    private List<ExpectationBlock> ParseExpectations(YamlMap item)
    {
        var raw = item.Raw("expect");
        if (raw is null)
        {
            return [];
        }

        var blocks = raw is YamlSequenceNode
            ? item.Sequence("expect").Select(b => new YamlMap(b.Node, file, b.Path)).ToList()
            : [new YamlMap(raw, file, item.Field("expect"))];
        var result = new List<ExpectationBlock>();
        foreach (var block in blocks)
        {
            var applies = When(block.Map("when"));
            var checks = ParseChecks(block);
            block.RejectUnknown();
            if (applies)
            {
                result.Add(new ExpectationBlock(checks, block.Location));
            }
        }

        return result;
    }

    /// <summary>Whether every path=value of a <c>when</c> holds in this cell's tree (kernel defaults to the default profile).</summary>
    private bool When(YamlMap? when)
    {
        if (when is null)
        {
            return true;
        }

        var holds = true;
        foreach (var path in when.Keys.ToList())
        {
            var wanted = when.Strings(path);
            var actual = ScenarioDocument.ValueAt(root, path) ?? (path == "kernel" ? Kernel.Versions.KernelProfiles.Default.Name : null);
            holds &= actual is not null && wanted.Contains(actual, StringComparer.Ordinal);
        }

        return holds;
    }

    private List<Expectation> ParseChecks(YamlMap b)
    {
        var checks = new List<Expectation>();
        if (b.String("return") is { } rc)
        {
            checks.Add(new ReturnExpectation(rc, b.At("return")));
        }

        if (b.Choice("action-result", ActionResults) is { } action)
        {
            checks.Add(new ActionResultExpectation(action, b.At("action-result")));
        }

        foreach (var (node, path) in b.Sequence("signals"))
        {
            var s = new YamlMap(node, file, path);
            checks.Add(new SignalExpectation(Task(s, "task"), s.Choice("signal", "SIGBUS", "SIGKILL"),
                s.Choice("code", "BUS_MCEERR_AR", "BUS_MCEERR_AO", "BUS_ADRERR", "SI_KERNEL"), s.Int("lsb", 63), s.Bool("forced"), s.Location));
            s.RejectUnknown();
        }

        foreach (var task in b.Strings("no-signal"))
        {
            checks.Add(new NoSignalExpectation(KnownTask(b, "no-signal", task), b.At("no-signal")));
        }

        if (b.Map("delivered") is { } delivered)
        {
            foreach (var task in delivered.Keys.ToList())
            {
                checks.Add(new DeliveredExpectation(KnownTask(delivered, task, task), delivered.Int(task) ?? 0, delivered.At(task)));
            }
        }

        checks.AddRange(b.Strings("log").Select(text => new LogExpectation(text, true, b.At("log"))));
        checks.AddRange(b.Strings("no-log").Select(text => new LogExpectation(text, false, b.At("no-log"))));
        if (b.Bool("shutdown") is { } shutdown)
        {
            checks.Add(new ShutdownExpectation(shutdown, b.At("shutdown")));
        }

        checks.AddRange(b.Strings("exited").Select(task => new ExitedExpectation(KnownTask(b, "exited", task), true, b.At("exited"))));
        checks.AddRange(b.Strings("alive").Select(task => new ExitedExpectation(KnownTask(b, "alive", task), false, b.At("alive"))));
        if (b.Choice("health", "clean", "warning", "oops", "panic") is { } health)
        {
            checks.Add(new HealthExpectation(health, b.At("health")));
        }

        if (checks.Count == 0)
        {
            throw new ScenarioException(b.Location, "an expect block needs at least one check (return, action-result, signals, no-signal, delivered, log, no-log, shutdown, exited, alive, health)");
        }

        return checks;
    }

    private string KnownTask(YamlMap b, string key, string task) =>
        tasks.Contains(task) ? task : throw new ScenarioException(b.At(key), $"no task named '{task}' exists at this step");
}
