using DaxHolder.Scenarios.Language;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>A real run of one cell: the outcome, the compiled case and where the console is.</summary>
internal sealed record RealRun(CellOutcome Outcome, GuestCase Case, string ConsoleFile, IReadOnlyList<ScenarioSetting> Binding);

/// <summary>
/// Runs scenario cells on a real kernel: binds the cell, compiles it for the guest (refusing what
/// the guest cannot express, exit 2), gets the cached image, boots it once per cell and reads the
/// console. One QEMU at a time.
/// </summary>
internal sealed class OracleRunner(OracleCache cache, TextWriter progress, TimeSpan timeout, bool keep)
{
    /// <summary>
    /// The cells of <paramref name="document"/> for <paramref name="kernel"/>: the matrix with the
    /// kernel axis and the <paramref name="pinned"/> paths removed. Each cell is given as shown (no
    /// kernel) and as bound (with the model's profile for the kernel, or the scenario's own when the
    /// model has none: it then only parses the file).
    /// </summary>
    public static IReadOnlyList<(IReadOnlyList<ScenarioSetting> Shown, IReadOnlyList<ScenarioSetting> Binding)> Cells(
        ScenarioDocument document, OracleKernel kernel, IReadOnlyList<ScenarioSetting> pinned)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(kernel);
        var withoutKernel = pinned.Where(p => p.Path != "kernel").ToList();
        var kernelPin = new ScenarioSetting("kernel", kernel.ModelProfile ?? "-");
        return document.Cells([.. withoutKernel, kernelPin])
            .Select(cell =>
            {
                var shown = cell.Where(s => s.Path != "kernel").ToList();
                IReadOnlyList<ScenarioSetting> binding = kernel.ModelProfile is null ? shown : [.. shown, kernelPin];
                return ((IReadOnlyList<ScenarioSetting>)shown, binding);
            })
            .ToList();
    }

    /// <summary>Compiles every cell first (so bad input fails before any boot), then boots each.</summary>
    public IReadOnlyList<RealRun> Run(ScenarioDocument document, OracleKernel kernel, IReadOnlyList<ScenarioSetting> pinned)
    {
        var cells = Cells(document, kernel, pinned);
        var compiled = cells.Select(c => (c.Shown, c.Binding, Scenario: document.Bind(c.Binding))).Select(c => (c.Shown, c.Binding, c.Scenario, Case: GuestCompiler.Compile(c.Scenario))).ToList();
        var image = new ImageBuilder(cache, progress).Get(kernel);
        var runs = new List<RealRun>();
        foreach (var (shown, binding, scenario, guestCase) in compiled)
        {
            var label = $"{kernel.Name}-{document.Name}-{string.Join('-', shown.Select(s => s.Value))}";
            var (boot, outcome, retries) = BootUntilInitRuns(image, guestCase, scenario, label, document.Name, kernel.Name, shown);
            if (retries > 0)
            {
                outcome = outcome with { Setup = [$"BOOT: the kernel died before init {retries} time(s) (a boot flake under TCG, e.g. an int3 oops while patching text); booted again", .. outcome.Setup] };
            }

            outcome = outcome with { Seconds = boot.Seconds, Problems = boot.TimedOut ? [$"the guest ran past the {timeout.TotalSeconds:0} s timeout", .. outcome.Problems] : outcome.Problems };
            runs.Add(new RealRun(outcome, guestCase, boot.ConsoleFile, binding));
        }

        return runs;
    }

    /// <summary>
    /// Under TCG a kernel sometimes dies while it boots, before init runs (an int3 oops while it
    /// patches its own text, seen on 7.2.13 with two vCPUs): nothing of the case ran, so that boot
    /// says nothing about the scenario. Such a boot (no "ORACLE: kernel" line) is retried, up to
    /// <see cref="BootAttempts"/> boots in all; a case that ran, whatever happened to it, is kept.
    /// </summary>
    private (BootResult Boot, CellOutcome Outcome, int Retries) BootUntilInitRuns(
        BootImage image, GuestCase guestCase, Scenario scenario, string label, string name, string kernelName, IReadOnlyList<ScenarioSetting> shown)
    {
        for (var attempt = 1; ; attempt++)
        {
            var boot = new QemuRunner(progress).Boot(image, guestCase.Script, scenario.Device.Size.Value, cache.NewRun(label), timeout, keep);
            var outcome = ConsoleParser.Parse(boot.Console, name, kernelName, shown, guestCase.Steps);
            if (outcome.Release.Length > 0 || attempt == BootAttempts)
            {
                return (boot, outcome, attempt - 1);
            }

            progress.WriteLine($"oracle: {label}: the kernel died before init ran; booting again ({attempt + 1}/{BootAttempts})");
        }
    }

    private const int BootAttempts = 3;
}
