using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Tests.Kernel.Support;

/// <summary>
/// Fault injection for testfs compiled into a fixture plugin (Support/FaultyPlugin): at the
/// stage named by <see cref="TestFsFaultPlan.Stage"/> ("mkfs", "mount", "iomap", "fault",
/// "notify_failure", "unmount") the call throws, or with <see cref="TestFsFaultPlan.Hang"/> never
/// returns until the host cancels it. In the test assembly itself no stage is named: testfs
/// behaves normally.
/// </summary>
internal static class TestFsFaults
{
    /// <summary>The stage's fault, if it is the planned one.</summary>
    public static void At(string stage, IKernelServices? kernel)
    {
        if (!Is(stage))
        {
            return;
        }

        if (!TestFsFaultPlan.Hang)
        {
            throw new InvalidOperationException($"{stage} exploded");
        }

        while (kernel is null || !kernel.Cancellation.IsCancellationRequested)
        {
            Thread.Sleep(10);
        }
    }

    /// <summary>Whether <paramref name="stage"/> is the planned one.</summary>
    public static bool Is(string stage) => TestFsFaultPlan.Stage == stage;
}
