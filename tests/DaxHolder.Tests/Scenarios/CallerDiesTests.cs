using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>
/// arch/x86/kernel/dumpstack.c: oops_end() -> make_task_dead(SIGKILL): a task that dies in an oops
/// inside its own system call never gets a return value. The step reports it killed, never "=> 0".
/// </summary>
public sealed class CallerDiesTests
{
    [Fact]
    public void MadviseThatOopses_On612_IsReportedKilled_NotAReturnValue_OopsEnd()
    {
        var run = ScenarioHarness.RunFile(Path.Combine(ScenarioHarness.ScenariosDirectory, "xfs", "no-rmapbt-shared.yaml"), [new ScenarioSetting("kernel", "6.12")]);

        var madvise = run.Steps.Single(s => s.Kind == "madvise-hwpoison");
        madvise.Result.Value.ShouldBe("killed");
        madvise.Result.ToString().ShouldContain("exit status 137");
    }

    [Fact]
    public void TheSameMadvise_On72_Returns_Ebusy_FolioRefcounts()
    {
        var run = ScenarioHarness.RunFile(Path.Combine(ScenarioHarness.ScenariosDirectory, "xfs", "no-rmapbt-shared.yaml"), [new ScenarioSetting("kernel", "7.2")]);

        run.Steps.Single(s => s.Kind == "madvise-hwpoison").Result.ShouldBe(new StepResult("-EBUSY"));
    }
}
