using System.Globalization;
using System.Text.RegularExpressions;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Running;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Properties;

/// <summary>
/// Properties of whole reports over random valid scenarios on every kernel profile and filesystem:
/// <list type="bullet">
/// <item>metamorphic: other task names, comms, pids and file names (same length and order), or one
/// more process that maps nothing, change nothing but those names in the text report; another
/// physical base of the device moves every pfn and physical address by the same amount and
/// changes nothing else;</item>
/// <item>determinism: the same scenario run twice, and eight times in parallel in one process,
/// gives byte-identical text and JSON reports.</item>
/// </list>
/// </summary>
public sealed partial class ReportPropertyTests
{
    public static TheoryData<string, FsKind> Cells() => ScenarioGen.Cells();

    [Theory]
    [MemberData(nameof(Cells))]
    public void Renaming_OrAnIdleProcess_ChangesOnlyTheNames(string kernel, FsKind fs) =>
        PropertyCheck.Holds(ScenarioGen.Scenario(kernel, fs), s =>
        {
            var original = Steps(s, s.Naming);
            Steps(s with { Naming = Naming.Renamed }, Naming.Renamed).ShouldBe(original, PropertyCheck.Fail(s, "renaming tasks, comms, pids and files changed more than the names"));
            Steps(s with { IdleTask = true }, s.Naming).ShouldBe(original, PropertyCheck.Fail(s, "one more process with no mapping changed the report"));
        }, iterations: 10);

    [Theory]
    [MemberData(nameof(Cells))]
    public void MovingTheDevice_MovesOnlyPfnsAndPhysicalAddresses(string kernel, FsKind fs) =>
        PropertyCheck.Holds(ScenarioGen.Scenario(kernel, fs), s =>
        {
            var moved = s with { Base = PropScenario.Bases[(PropScenario.Bases.ToList().IndexOf(s.Base) + 1) % PropScenario.Bases.Count] };
            var a = WithoutPhysical(Text(s), s.Base);
            var b = WithoutPhysical(Text(moved), moved.Base);
            b.ShouldBe(a, PropertyCheck.Fail(s, $"moving the device base from 0x{s.Base:x} to 0x{moved.Base:x} changed more than pfns and physical addresses"));
        }, iterations: 10);

    [Theory]
    [MemberData(nameof(Cells))]
    public void SameScenario_SameBytes_SeriallyAndEightInParallel(string kernel, FsKind fs) =>
        PropertyCheck.Holds(ScenarioGen.Scenario(kernel, fs), s =>
        {
            var yaml = s.ToYaml();
            var first = Render(yaml);
            Render(yaml).ShouldBe(first, PropertyCheck.Fail(s, "a second run gave other bytes"));
            var parallel = new (string Text, string Json)[8];
            Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = parallel.Length }, i => parallel[i] = Render(yaml));
            foreach (var run in parallel)
            {
                run.ShouldBe(first, PropertyCheck.Fail(s, "a run in parallel with seven others gave other bytes"));
            }
        }, iterations: 4);

    private static RunReport Run(string yaml)
    {
        var document = ScenarioDocument.FromText("property.yaml", yaml);
        return new ScenarioRunner(ScenarioHarness.Plugins).Run(document, document.Cells([])[0]);
    }

    private static string Text(PropScenario scenario) => TextReport.Render(Run(scenario.ToYaml()));

    private static (string Text, string Json) Render(string yaml)
    {
        var run = Run(yaml);
        return (TextReport.Render(run), JsonReport.Render([run]));
    }

    /// <summary>
    /// Each step's text with the step number left out and the idle process's spawn dropped, and
    /// every task name, comm, pid and file name replaced by a placeholder of its index.
    /// </summary>
    private static List<string> Steps(PropScenario scenario, Naming naming)
    {
        var run = Run(scenario.ToYaml());
        var steps = new List<string>();
        foreach (var step in run.Steps)
        {
            if (step.Kind == "spawn" && step.What.Contains($":{PropScenario.IdlePid.ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal))
            {
                continue;
            }

            var text = StepNumber().Replace(TextReport.Step(step), "$1");
            for (var i = scenario.Tasks.Count - 1; i >= 0; i--)
            {
                text = Replace(text, naming.Task(i), $"<task{i}>");
                text = Replace(text, naming.Comm(i), $"<comm{i}>");
                text = Replace(text, naming.Pid(i).ToString(CultureInfo.InvariantCulture), $"<pid{i}>");
            }

            for (var i = scenario.Files.Count - 1; i >= 0; i--)
            {
                text = Replace(text, naming.File(i), $"<file{i}>");
            }

            steps.Add(text);
        }

        return steps;
    }

    /// <summary>Replaces a whole word (not part of a longer name, number or hex literal).</summary>
    private static string Replace(string text, string word, string with) =>
        Regex.Replace(text, $@"(?<![\w/]){Regex.Escape(word)}(?![\w])", with, RegexOptions.CultureInvariant);

    /// <summary>
    /// Every hex number (0x or bare, as the kernel's mce line prints it) inside the device's physical range becomes "phys+offset", and inside its pfn
    /// range "pfn+offset" (ends included: reports print exclusive ends).
    /// </summary>
    private static string WithoutPhysical(string text, ulong physicalBase)
    {
        var firstPfn = physicalBase >> 12;
        var pages = PropScenario.DeviceSize >> 12;
        return Hex().Replace(text, m =>
        {
            var value = ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return value >= physicalBase && value <= physicalBase + PropScenario.DeviceSize ? $"phys+0x{value - physicalBase:x}"
                : value >= firstPfn && value <= firstPfn + pages ? $"pfn+0x{value - firstPfn:x}"
                : m.Value;
        });
    }

    [GeneratedRegex(@"^((?:step|event)) \d+", RegexOptions.Multiline)]
    private static partial Regex StepNumber();

    /// <summary>A hex number of six digits or more, with or without 0x (mce's "user-access at %llx" has none).</summary>
    [GeneratedRegex(@"\b(?:0x)?([0-9a-f]{6,16})\b")]
    private static partial Regex Hex();
}
