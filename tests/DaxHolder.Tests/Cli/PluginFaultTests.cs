using DaxHolder.Cli;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Cli;

/// <summary>
/// A plugin's fault is never the host's crash: a plugin that throws in any call, never returns,
/// or returns an iomap outside its device ends that scenario cell with exit 3 and one located
/// message naming the plugin, its version, the call and what went wrong, after the report of
/// what ran until then. The plugin is testfs compiled with a planned fault (FixturePlugins).
/// </summary>
public sealed class PluginFaultTests : IDisposable
{
    private readonly FixturePlugins fixtures = new();

    public void Dispose() => fixtures.Dispose();

    /// <summary>testfs with holder operations; a file written at set-up, mapped and touched, poisoned, and a mount cycle.</summary>
    private string Scenario()
    {
        var path = Path.Combine(fixtures.Root, "faulty.yaml");
        File.WriteAllText(path, """
            name: faulty
            kernel: "6.12"
            device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
            filesystem:
              type: testfs
              mount: { holder: "" }
            files:
              - { path: /f, size: 64KiB }
            steps:
              - spawn: { task: t, comm: t, pid: 1001 }
              - mmap: { task: t, as: m, file: /f, length: 4KiB }
              - touch: { task: t, map: m }
              - madvise-hwpoison: { task: t, map: m, length: 4KiB }
              - cycle-mount:
            """);
        return path;
    }

    [Theory]
    [InlineData("mkfs", "IFileSystemType.Mkfs", "setup")]
    [InlineData("mount", "IFileSystemType.Mount", "setup")]
    [InlineData("iomap", "IIomapOps.IomapBegin", "setup")]
    [InlineData("fault", "IIomapOps.IomapBegin", "step 3 touch")]
    [InlineData("notify_failure", "IDaxHolderOperations.NotifyFailure", "event 4 madvise-hwpoison")]
    [InlineData("unmount", "IMountedFileSystem.Unmount", "step 5 cycle-mount")]
    public void APluginThatThrows_EndsTheCellWithExit3_AndOneMessageNamingPluginCallAndException(string stage, string call, string faultedIn)
    {
        var plugin = fixtures.CompileFaultyTestFs("faulty-" + stage, stage);

        var (exit, output, error) = CliRun.Run("run", Scenario(), "--plugins", plugin);

        exit.ShouldBe(ExitCodes.PluginFault, error);
        var line = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldHaveSingleItem(error);
        line.ShouldStartWith("daxholder: ");
        line.ShouldContain("plugin 'faulty' 9.9.9 faulted in " + call + "(");
        line.ShouldEndWith($"InvalidOperationException: {stage} exploded");
        error.ShouldNotContain("   at ", Case.Sensitive, "no stack trace");
        output.ShouldContain($"{faultedIn}: ", Case.Sensitive, "the report of what ran so far, the faulting step last");
        output.ShouldContain("plugin fault: ");
        if (stage == "notify_failure")
        {
            output.ShouldContain("dax_holder_notify_failure(offset ", Case.Sensitive, "the call is traced where it was made");
            output.ShouldContain("-> faulty = (did not return)", Case.Sensitive, "a call the fault ended has no return value");
        }
    }

    [Fact]
    public void ANotifyFailureThatNeverReturns_IsStoppedAtTheDeadline_WithExit3_AndTheReportSoFar()
    {
        var plugin = fixtures.CompileFaultyTestFs("faulty-hang", "notify_failure", hang: true);

        var (exit, output, error) = CliRun.Run("run", Scenario(), "--plugins", plugin, "--plugin-timeout", "0.5");

        exit.ShouldBe(ExitCodes.PluginFault, error);
        error.ShouldContain("faulted in IDaxHolderOperations.NotifyFailure(");
        error.ShouldContain("did not return within 0.5 s");
        output.ShouldContain("step 3 touch: ");
        output.ShouldContain("event 4 madvise-hwpoison: ");
    }

    [Fact]
    public void AnIomapPastTheEndOfTheDevice_IsAContractViolation_NotACrash()
    {
        var plugin = fixtures.CompileFaultyTestFs("faulty-past", "iomap-past-device");

        var (exit, _, error) = CliRun.Run("run", Scenario(), "--plugins", plugin);

        exit.ShouldBe(ExitCodes.PluginFault, error);
        error.ShouldContain("faulted in IIomapOps.IomapBegin(");
        error.ShouldContain("lies past the end of pmem0");
    }

    [Fact]
    public void InCompare_AFaultingCellShowsPluginFault_AndTheOtherCellsStillRun()
    {
        var plugin = fixtures.CompileFaultyTestFs("faulty-cmp", "notify_failure");

        var (exit, output, error) = CliRun.Run("compare", Scenario(), "--plugins", plugin, "--vary", "kernel=6.1,6.12");

        exit.ShouldBe(ExitCodes.PluginFault, error);
        error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(2, "one located line per faulting cell");
        output.ShouldContain("plugin fault");
    }
}
