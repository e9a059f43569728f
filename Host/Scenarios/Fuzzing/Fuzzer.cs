using System.Diagnostics;
using DaxHolder.PluginLoading;
using DaxHolder.Scenarios.Generating;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Running;

namespace DaxHolder.Scenarios.Fuzzing;

/// <summary>What to fuzz: how many mutants from which seed, and the bounds one may not pass.</summary>
/// <param name="Seed">The seed: the same sources, seed and count give the same mutants and findings.</param>
/// <param name="Count">How many mutants.</param>
/// <param name="TimeBound">The longest one mutant may take (parse, bind, run, render).</param>
/// <param name="MemoryBound">The most bytes one mutant may allocate.</param>
internal sealed record FuzzOptions(ulong Seed, int Count, TimeSpan TimeBound, long MemoryBound = 1L << 30);

/// <summary>A mutant DaxHolder did not handle: an exception other than a located scenario error, a plugin fault, or a bound passed.</summary>
/// <param name="Number">The mutant's number in the run (0-based).</param>
/// <param name="Source">The scenario file it was made from.</param>
/// <param name="Mutation">The mutations applied, joined with '+'.</param>
/// <param name="Cell">The matrix cell it ran, or empty.</param>
/// <param name="Yaml">The mutant's text.</param>
/// <param name="Problem">What went wrong: the exception with its stack, the fault, or the bound.</param>
internal sealed record FuzzFinding(int Number, string Source, string Mutation, string Cell, string Yaml, string Problem)
{
    /// <summary>The first line of <see cref="Problem"/>.</summary>
    public string Summary => Problem.Split('\n')[0].TrimEnd('\r');
}

/// <summary>What a fuzz run came to.</summary>
internal sealed record FuzzSummary(int Mutants, int Refused, int Ran, IReadOnlyList<FuzzFinding> Findings);

/// <summary>
/// Runs mutants of scenarios in process, each as `daxholder run` would: parse, expand the matrix,
/// run one cell the seed picks on a fresh machine, render the text and JSON reports. A located
/// <see cref="ScenarioException"/> is a refusal (fine); decisions are fine; anything else is a
/// finding: another exception, a plugin fault, a mutant over the time or memory bound.
/// </summary>
internal sealed class Fuzzer(PluginCatalog catalog, TimeSpan pluginDeadline)
{
    /// <summary>A fuzzer over the loaded <paramref name="plugins"/>, each plugin call given <paramref name="pluginDeadline"/>.</summary>
    public Fuzzer(PluginSet plugins, TimeSpan pluginDeadline)
        : this(plugins?.Catalog ?? throw new ArgumentNullException(nameof(plugins)), pluginDeadline)
    {
    }

    /// <summary>Fuzzes <paramref name="sources"/> (file name, text); <paramref name="found"/> is told of each finding as it happens.</summary>
    public FuzzSummary Run(IReadOnlyList<(string File, string Text)> sources, FuzzOptions options, Action<FuzzFinding>? found = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(options);
        if (sources.Count == 0)
        {
            return new FuzzSummary(0, 0, 0, []);
        }

        var seeds = new SplitMix64(options.Seed);
        var runner = new ScenarioRunner(catalog, pluginDeadline);
        var findings = new List<FuzzFinding>();
        var (refused, ran) = (0, 0);
        for (var number = 0; number < options.Count; number++)
        {
            var random = new SplitMix64(seeds.Next());
            var (file, text) = sources[random.Below(sources.Count)];
            var (yaml, mutation) = new ScenarioMutator(random).Mutate(text);
            var outcome = Bounded(() => Try(runner, file, yaml, random), options);
            switch (outcome)
            {
                case { Refused: true }:
                    refused++;
                    break;
                case { Problem: null }:
                    ran++;
                    break;
                default:
                    var finding = new FuzzFinding(number, file, mutation, outcome.Cell, yaml, outcome.Problem);
                    findings.Add(finding);
                    found?.Invoke(finding);
                    break;
            }
        }

        return new FuzzSummary(options.Count, refused, ran, findings);
    }

    /// <summary>One mutant through parse, matrix, one cell and both reports.</summary>
    private static Outcome Try(ScenarioRunner runner, string file, string yaml, SplitMix64 random)
    {
        var cell = "";
        try
        {
            var document = ScenarioDocument.FromText(file, yaml);
            var cells = document.Cells([]);
            var chosen = cells[random.Below(cells.Count)];
            cell = string.Join(' ', chosen.Select(s => s.ToString()));
            var report = runner.Run(document, chosen);
            _ = TextReport.Render([report]);
            _ = JsonReport.Render([report]);
            return report.Fault is { } fault ? new Outcome(false, cell, $"plugin fault: {fault}") : new Outcome(false, cell, null);
        }
        catch (ScenarioException)
        {
            return new Outcome(true, cell, null);
        }
#pragma warning disable CA1031 // anything else a mutant provokes is the finding being looked for
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new Outcome(false, cell, e.ToString());
        }
    }

    /// <summary>Runs <paramref name="body"/> on its own thread, watching the time and the bytes it allocates.</summary>
    private static Outcome Bounded(Func<Outcome> body, FuzzOptions options)
    {
        Outcome? outcome = null;
        long allocated = 0;
        var thread = new Thread(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            outcome = body();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, maxStackSize: 16 << 20)
        { IsBackground = true, Name = "fuzz mutant" };
        var clock = Stopwatch.StartNew();
        thread.Start();
        if (!thread.Join(options.TimeBound))
        {
            // The thread is abandoned (a background thread; it cannot be stopped safely).
            return new Outcome(false, "", $"ran past the time bound of {options.TimeBound.TotalSeconds:0.#} s");
        }

        if (allocated > options.MemoryBound)
        {
            return new Outcome(false, outcome!.Cell, $"allocated {allocated / (1 << 20)} MiB, past the memory bound of {options.MemoryBound / (1 << 20)} MiB ({clock.Elapsed.TotalSeconds:0.##} s)");
        }

        return outcome!;
    }

    private sealed record Outcome(bool Refused, string Cell, string? Problem);
}
