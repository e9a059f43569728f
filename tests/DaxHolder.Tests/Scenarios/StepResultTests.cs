using DaxHolder.Abstractions;
using DaxHolder.Scenarios.Reports;

namespace DaxHolder.Tests.Scenarios;

/// <summary>A step's result is typed: `return:` compares its value, never the line the report prints.</summary>
public sealed class StepResultTests
{
    [Fact]
    public void TheLinePrinted_IsPrefixValueAndDetail()
    {
        StepResult.Of(Errno.EINVAL, "bad option").ToString().ShouldBe("-EINVAL (bad option)");
        (StepResult.Of(Errno.EBUSY) with { Prefix = "umount: " }).ToString().ShouldBe("umount: -EBUSY");
        StepResult.NotRun("the kernel panicked").ToString().ShouldBe("not run: the kernel panicked");
    }

    [Fact]
    public void TheValue_IsWhatReturnCompares()
    {
        (StepResult.Of(Errno.EINVAL, "bad option") with { Prefix = "mount: " }).Value.ShouldBe("-EINVAL");
        StepResult.NotRun("t has exited").Value.ShouldBe("not run");
        StepResult.Ok.ShouldBe(new StepResult("0"));
    }
}
