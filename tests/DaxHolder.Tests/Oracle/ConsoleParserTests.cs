using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Oracle;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Oracle;

/// <summary>
/// The console parser against consoles captured from real boots of Debian's 6.12.95 under QEMU
/// (Fixtures/*.console.log, written by daxholder oracle run): the demo, an Oops in
/// xfs/no-rmapbt-shared, and a machine check in xfs/reflink-in-core.
/// </summary>
public class ConsoleParserTests
{
    private static readonly string DemoFile = Path.Combine(ScenarioHarness.ScenariosDirectory, "demo.yaml");

    private static CellOutcome ParseDemo()
    {
        var console = File.ReadAllText(Path.Combine(ScenarioHarness.RepoRoot, "tests", "DaxHolder.Tests", "Oracle", "Fixtures", "demo-6.12.console.log"));
        var guest = GuestCompiler.Compile(ScenarioDocument.Load(DemoFile).Bind([]));
        return ConsoleParser.Parse(console, "demo", "6.12", [], guest.Steps);
    }

    [Fact]
    public void ARealBoot_ReadsIntoStepsWithSignalsActionResultsAndLog()
    {
        var real = ParseDemo();

        real.Release.ShouldBe("6.12.95+deb12-amd64");
        real.Problems.ShouldBeEmpty();
        real.Steps.Count.ShouldBe(13, "set-up, 11 steps, teardown");
        real.Pids.Keys.Order(StringComparer.Ordinal).ShouldBe(["poisoner", "reader", "watcher"]);
        real.Setup.ShouldContain(l => l.StartsWith("MKFS: xfs -m reflink=1,rmapbt=1 rc=0", StringComparison.Ordinal));
        var madvise = real.Steps.Single(s => s.Number == 11);
        madvise.Kind.ShouldBe("madvise-hwpoison");
        madvise.Result.ShouldBe("0");
        madvise.Signals.Select(s => s.ToString()).ShouldBe(["poisoner: SIGBUS BUS_MCEERR_AR lsb 12 at poison+0x0", "watcher: SIGBUS BUS_MCEERR_AO lsb 12 at watch+0x0"]);
        madvise.ActionResults.ShouldBe(["dax page: Recovered"]);
        madvise.Shutdown.ShouldBeFalse();
        madvise.Health.ShouldBe("clean");
        madvise.Log.ShouldContain($"Memory failure: 0x100218: Sending SIGBUS to t_mmap_cow_memo:{real.Pids["poisoner"]} due to hardware memory corruption");
        real.Steps.Single(s => s.Number == 6).Result.ShouldBe("done");
        real.Steps.Single(s => s.Number == 1).Log.ShouldContain(l => l.StartsWith("XFS (pmem0): Mounting V5 Filesystem", StringComparison.Ordinal));
    }

    [Fact]
    public void TheKernelRelease_IsReadEvenWhenTheFirmwareLineSharesItsConsoleLine()
    {
        var console = File.ReadAllText(Path.Combine(ScenarioHarness.RepoRoot, "tests", "DaxHolder.Tests", "Oracle", "Fixtures", "demo-6.12.console.log"));
        var at = console.IndexOf("ORACLE: kernel ", StringComparison.Ordinal);
        var lineStart = console.LastIndexOf('\n', at) + 1;
        var shared = console[..lineStart] + "Booting from ROM..\u001bc\u001b[?7l\u001b[2J" + console[at..];
        var guest = GuestCompiler.Compile(ScenarioDocument.Load(DemoFile).Bind([]));

        ConsoleParser.Parse(shared, "demo", "6.12", [], guest.Steps).Release.ShouldBe("6.12.95+deb12-amd64");
    }

    [Fact]
    public void ATruncatedConsole_IsAProblem_NamingTheStepsThatDidNotRun()
    {
        var console = File.ReadAllText(Path.Combine(ScenarioHarness.RepoRoot, "tests", "DaxHolder.Tests", "Oracle", "Fixtures", "demo-6.12.console.log"));
        var cut = console[..console.IndexOf("ORACLE-STEP: 10 ", StringComparison.Ordinal)];
        var guest = GuestCompiler.Compile(ScenarioDocument.Load(DemoFile).Bind([]));

        var real = ConsoleParser.Parse(cut, "demo", "6.12", [], guest.Steps);

        real.Problems.ShouldBe([
            "the guest did not finish the case (timeout, hang or panic): see the console log",
            "step 10 touch did not run in the guest",
            "step 11 madvise-hwpoison did not run in the guest",
        ]);
    }

    [Fact]
    public void TheModel_AgreesWithTheRealDemo_On612()
    {
        var real = ParseDemo();
        var document = ScenarioDocument.Load(DemoFile);

        var (model, _) = ModelPrediction.Predict(ScenarioHarness.Plugins, document, [new ScenarioSetting("kernel", "6.12")], "6.12");
        var comparison = OutcomeComparison.Compare(model, real);

        comparison.Compared.ShouldBe(11 * OutcomeComparison.Aspects.Length);
        comparison.Differences.ShouldBeEmpty();
    }

    [Fact]
    public void AChangedSignal_IsADifference()
    {
        var real = ParseDemo();
        var document = ScenarioDocument.Load(DemoFile);
        var (model, _) = ModelPrediction.Predict(ScenarioHarness.Plugins, document, [new ScenarioSetting("kernel", "6.12")], "6.12");
        var changed = real with
        {
            Steps = [.. real.Steps.Select(s => s.Number == 11 ? s with { Signals = [.. s.Signals.Where(g => g.Task != "watcher")] } : s)],
        };

        var difference = OutcomeComparison.Compare(model, changed).Differences.ShouldHaveSingleItem();

        difference.ToString().ShouldBe("step 11 madvise-hwpoison: signals: model [poisoner: SIGBUS BUS_MCEERR_AR lsb 12 at poison+0x0; watcher: SIGBUS BUS_MCEERR_AO lsb 12 at watch+0x0]; real [poisoner: SIGBUS BUS_MCEERR_AR lsb 12 at poison+0x0]");
    }

    [Fact]
    public void AnOopsInATasksSystemCall_ReadsAsAnOopsAndTheTasksDeath()
    {
        var real = Parse("xfs/no-rmapbt-shared.yaml", "no-rmapbt-shared-6.12.console.log");

        var step = real.Steps.Single(s => s.Number == 7);
        step.Kind.ShouldBe("madvise-hwpoison");
        step.Result.ShouldBeNull("the task died inside madvise: no return value");
        step.Exits.ShouldBe([new TaskExit("ua", "killed by SIGKILL")]);
        step.Health.ShouldBe("oops");
        step.Log.ShouldContain(l => l.StartsWith("RIP: 0010:dax_lock_folio", StringComparison.Ordinal));
    }

    [Fact]
    public void AMachineCheck_ReadsWithTheMonitorCommandAndTheEarlyKillSignals()
    {
        var real = Parse("xfs/reflink-in-core.yaml", "reflink-in-core-6.12.console.log");

        real.Problems.ShouldBeEmpty();
        real.Setup.ShouldContain("step 10: HOST: monitor: sent 'mce -b 0 9 0xbd000000000000c0 0x5 0x100218000 0x8c'");
        var step = real.Steps.Single(s => s.Number == 10);
        step.Signals.Select(s => s.ToString()).ShouldBe(["second: SIGBUS BUS_MCEERR_AO lsb 12 at s+0x0", "clone: SIGBUS BUS_MCEERR_AO lsb 12 at c+0x0"]);
        step.ActionResults.ShouldBe(["dax page: Recovered"]);
    }

    private static CellOutcome Parse(string scenario, string fixture)
    {
        var console = File.ReadAllText(Path.Combine(ScenarioHarness.RepoRoot, "tests", "DaxHolder.Tests", "Oracle", "Fixtures", fixture));
        var guest = GuestCompiler.Compile(ScenarioDocument.Load(Path.Combine(ScenarioHarness.ScenariosDirectory, scenario)).Bind([new ScenarioSetting("kernel", "6.12")]));
        return ConsoleParser.Parse(console, Path.GetFileNameWithoutExtension(scenario), "6.12", [], guest.Steps);
    }

    [Theory]
    [InlineData("RESULT step=3 task=a event=exit status=signal BUS core", "status", "signal BUS core")]
    [InlineData("RESULT step=3 task=a event=signal sig=SIGBUS lsb=12", "lsb", "12")]
    public void ResultFields_RunToTheNextKey(string line, string key, string value)
    {
        ConsoleParser.Fields(line)[key].ShouldBe(value);
    }

    [Fact]
    public void ExitStatuses_ReadAsTheReportsSayThem()
    {
        ConsoleParser.Exit("signal BUS core").ShouldBe("killed by SIGBUS");
        ConsoleParser.Exit("exit 0").ShouldBe("exited 0");
    }

    [Fact]
    public void LogLines_AreNormalizedForComparison()
    {
        KernelLog.Normalize("Memory failure: 0x100218: Sending SIGBUS to watcher:266 due to hardware memory corruption", new Dictionary<int, string> { [266] = "watcher" })
            .ShouldBe("Memory failure: <hex>: Sending SIGBUS to watcher:<watcher> due to hardware memory corruption");
        KernelLog.Normalize("XFS (pmem0): Metadata I/O Error (0x4) detected at xfs_dax_notify_ddev_failure+0x289/0x430 [xfs] (fs/xfs/xfs_notify_failure.c:316).  Shutting down filesystem.", new Dictionary<int, string>())
            .ShouldBe("XFS (pmem0): Metadata I/O Error (<hex>) detected at xfs_dax_notify_ddev_failure (fs/xfs/xfs_notify_failure.c:316).  Shutting down filesystem.");
        KernelLog.Health(["WARNING: CPU: 0 PID: 1 at fs/dax.c:1 x"]).ShouldBe("warning");
        KernelLog.Health(["BUG: kernel NULL pointer dereference"]).ShouldBe("oops");
        KernelLog.Shutdown(["XFS (pmem0): Corruption of in-memory data (0x8) detected at xfs_dax_notify_failure+0x1/0x2 (fs/xfs/xfs_notify_failure.c:1).  Shutting down filesystem."]).ShouldBeTrue();
    }
}
