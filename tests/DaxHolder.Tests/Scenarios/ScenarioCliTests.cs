using System.Text.Json;
using DaxHolder.Cli;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>daxholder run, check and compare on scenario files.</summary>
public sealed class ScenarioCliTests : IDisposable
{
    private const string Poison = """
        name: poison
        device: { mode: devdax, size: 4GiB, align: 2MiB }
        steps:
          - spawn: { task: t, comm: lt-device-dax, pid: 1334, sigbus: handler }
          - mmap: { task: t, as: m, length: 4MiB }
          - touch: { task: t, map: m, offset: 1MiB }
          - madvise-hwpoison: { task: t, map: m, offset: 1MiB }
            expect:
              signals:
                - { task: t, code: BUS_MCEERR_AR, lsb: 21 }

        """;

    private readonly string dir = Directory.CreateTempSubdirectory("daxholder-cli-").FullName;

    [Fact]
    public void Run_PrintsTheDecisions_AndExits0WhenExpectationsHold()
    {
        var (exit, output, error) = CliRun.Run("run", Write("poison.yaml", Poison));

        error.ShouldBeEmpty();
        exit.ShouldBe(ExitCodes.Ok);
        output.ShouldContain("signal            SIGBUS BUS_MCEERR_AR -> lt-device-dax:1334 addr 0x7f0000000000 lsb 21 forced, queued");
        output.ShouldContain("expectations: 1 held, 0 failed");
    }

    [Fact]
    public void Run_ExitsWith1_WhenAnExpectationFails()
    {
        var (exit, output, _) = CliRun.Run("run", Write("poison.yaml", Poison.Replace("lsb: 21", "lsb: 12", StringComparison.Ordinal)));

        exit.ShouldBe(ExitCodes.DecisionsDiffer);
        output.ShouldContain("FAIL  BUS_MCEERR_AR lsb 12 to t: SIGBUS BUS_MCEERR_AR lsb 21 forced");
    }

    [Fact]
    public void Run_OfAMalformedScenario_NamesTheLocation_Exits2_AndWritesNothing()
    {
        var file = Write("bad.yaml", Poison.Replace("length: 4MiB", "length: 4 megs", StringComparison.Ordinal));

        var (exit, output, error) = CliRun.Run("run", file);

        exit.ShouldBe(ExitCodes.BadInput);
        output.ShouldBeEmpty();
        error.Trim().ShouldBe($"daxholder: {file}:5:37: steps[1].mmap.length: '4 megs' is not a size (bytes, or with a KiB/MiB/GiB/TiB suffix)");
    }

    [Fact]
    public void Run_OfAMissingFile_Exits2()
    {
        var (exit, output, error) = CliRun.Run("run", Path.Combine(dir, "nope.yaml"));

        exit.ShouldBe(ExitCodes.BadInput);
        output.ShouldBeEmpty();
        error.ShouldContain("nope.yaml: (file): cannot read");
    }

    [Fact]
    public void Run_AsJson_IsValidJson_WithTheSignalFields()
    {
        var (exit, output, _) = CliRun.Run("run", Write("poison.yaml", Poison), "--format", "json");

        exit.ShouldBe(ExitCodes.Ok);
        using var json = JsonDocument.Parse(output);
        var signal = json.RootElement.GetProperty("runs")[0].GetProperty("steps").EnumerateArray()
            .SelectMany(s => s.GetProperty("decisions").EnumerateArray()).First(d => d.GetProperty("kind").GetString() == "signal");
        signal.GetProperty("si_code").GetString().ShouldBe("BUS_MCEERR_AR");
        signal.GetProperty("si_addr_lsb").GetInt32().ShouldBe(21);
        signal.GetProperty("pid").GetInt32().ShouldBe(1334);
        signal.GetProperty("forced").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public void Run_IsByteIdentical_RunToRun()
    {
        var file = Write("poison.yaml", Poison);

        CliRun.Run("run", file).Out.ShouldBe(CliRun.Run("run", file).Out);
        CliRun.Run("run", file, "--format", "json").Out.ShouldBe(CliRun.Run("run", file, "--format", "json").Out);
    }

    [Fact]
    public void Run_WithKernel_PinsTheProfile()
    {
        var (_, output, _) = CliRun.Run("run", Write("poison.yaml", Poison), "--kernel", "6.1");

        output.ShouldContain("kernel: 6.1 (6.1.192)");
    }

    [Fact]
    public void Check_WithoutAnApprovedFile_Differs_AndShowsTheDiff()
    {
        var (exit, output, _) = CliRun.Run("check", dir + Path.DirectorySeparatorChar, Write("poison.yaml", Poison));

        exit.ShouldBe(ExitCodes.DecisionsDiffer);
        output.ShouldContain("--- /dev/null");
        output.ShouldContain("+scenario: poison");
    }

    [Fact]
    public void Check_Accept_ThenCheck_Passes_AndAChangedDecisionShowsAUnifiedDiff()
    {
        var file = Write("poison.yaml", Poison);
        CliRun.Run("check", "--accept", file).Exit.ShouldBe(ExitCodes.Ok);
        File.Exists(Path.Combine(dir, "poison.approved.txt")).ShouldBeTrue();
        CliRun.Run("check", dir).Exit.ShouldBe(ExitCodes.Ok);

        Write("poison.yaml", Poison.Replace("sigbus: handler", "sigbus: default", StringComparison.Ordinal).Replace("  - madvise", "  - set: { task: t, sigbus: default }\n  - madvise", StringComparison.Ordinal));
        var (exit, output, _) = CliRun.Run("check", dir);

        exit.ShouldBe(ExitCodes.DecisionsDiffer);
        output.ShouldContain("@@ ");
        output.ShouldContain("+    delivered         SIGBUS to lt-device-dax:1334: killed (core dumped)");
        output.ShouldContain("check: 1 scenario(s), 0 match, 1 differ");
    }

    [Fact]
    public void Check_Accept_IsRefusedOnCi_AndWritesNothing()
    {
        var file = Write("poison.yaml", Poison);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error, AppContext.BaseDirectory, null, IsTerminal: false) { CiVariable = "true" };

        var exit = DaxHolderCli.Run(["check", "--accept", file], context);

        exit.ShouldBe(ExitCodes.BadInput);
        error.ToString().ShouldContain("check --accept is refused when CI=true");
        File.Exists(Path.Combine(dir, "poison.approved.txt")).ShouldBeFalse();
    }

    [Fact]
    public void Check_OfAMalformedScenarioAmongGoodOnes_WritesNoApprovedFile()
    {
        Write("a.yaml", Poison);
        Write("b.yaml", "kernel: [\n");

        var (exit, _, error) = CliRun.Run("check", "--accept", dir);

        exit.ShouldBe(ExitCodes.BadInput);
        error.ShouldContain("b.yaml");
        Directory.GetFiles(dir, "*.approved.txt").ShouldBeEmpty("nothing half written");
    }

    [Fact]
    public void Compare_ShowsTheDifferingStepsSideBySide_First()
    {
        var (exit, output, _) = CliRun.Run("compare", Write("poison.yaml", Poison), "--vary", "steps.0.spawn.sigbus=handler,default");

        exit.ShouldBe(ExitCodes.Ok);
        output.ShouldContain("compare: poison, 2 cells: steps.0.spawn.sigbus=handler | steps.0.spawn.sigbus=default");
        var same = output.IndexOf("the same in every cell:", StringComparison.Ordinal);
        output.IndexOf("handler ran", StringComparison.Ordinal).ShouldBeInRange(0, same);
        output.IndexOf("killed (core dumped)", StringComparison.Ordinal).ShouldBeInRange(0, same);
        output.IndexOf("step 2 mmap", StringComparison.Ordinal).ShouldBeGreaterThan(same, "identical steps come after the differences");
    }

    [Fact]
    public void Compare_WithOneCell_IsBadInput()
    {
        var (exit, _, error) = CliRun.Run("compare", Write("poison.yaml", Poison));

        exit.ShouldBe(ExitCodes.BadInput);
        error.ShouldContain("nothing to compare");
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
