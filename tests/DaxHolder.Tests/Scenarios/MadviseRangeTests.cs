using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>
/// mm/madvise.c: do_madvise() checks the range before madvise_inject_error() runs: an unaligned
/// start, or a length that rounds up to zero or wraps past the top of the address space, is
/// -EINVAL and nothing is injected; a zero length does nothing and returns 0.
/// </summary>
public sealed class MadviseRangeTests
{
    private const string Machine = """
        name: madvise-range
        device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
        filesystem: { type: xfs, mount: { dax: always } }
        files:
          - { path: /f, size: 16KiB }
        steps:
          - spawn: { task: p, comm: injector, pid: 9301, sigbus: handler }
          - mmap: { task: p, as: m, file: /f, length: 16KiB }
          - touch: { task: p, map: m, length: 16KiB }

        """;

    [Theory]
    [InlineData("offset: 1, length: 4KiB")]
    [InlineData("offset: 0, length: 18446744073709551615")]
    [InlineData("offset: 0, length: 0xfffffffffffff001")]
    [InlineData("offset: 0xffff80fffffff000, length: 16KiB")]
    public void DoMadvise_ARangeThatIsUnalignedOrWraps_IsEinval_AndNothingIsInjected(string range)
    {
        var run = ScenarioHarness.Run(Machine + $"  - madvise-hwpoison: {{ task: p, map: m, {range} }}\n").ShouldHaveSingleItem();

        var step = run.Steps[^1];
        step.Result.Value.ShouldBe("-EINVAL");
        DaxHolder.Scenarios.Reports.TextReport.Step(step).ShouldNotContain("Injecting memory failure");
    }

    [Fact]
    public void DoMadvise_ZeroLength_ReturnsZero_AndInjectsNothing()
    {
        var run = ScenarioHarness.Run(Machine + "  - madvise-hwpoison: { task: p, map: m, offset: 0, length: 0 }\n").ShouldHaveSingleItem();

        var step = run.Steps[^1];
        step.Result.Value.ShouldBe("0");
        DaxHolder.Scenarios.Reports.TextReport.Step(step).ShouldNotContain("Injecting memory failure");
    }
}
