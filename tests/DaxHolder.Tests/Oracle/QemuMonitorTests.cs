using DaxHolder.Scenarios.Oracle;

namespace DaxHolder.Tests.Oracle;

public class QemuMonitorTests
{
    [Theory]
    [InlineData("quit")]
    [InlineData("system_reset")]
    [InlineData("mce -b 0 9 0x1 0x5 0x100218000 0x8c; quit")]
    public void OnlyMachineChecks_AreSentToTheMonitor(string command)
    {
        QemuMonitor.Send("/nonexistent/monitor.sock", command).ShouldBe($"refused '{command}': only mce commands are sent");
    }

    [Fact]
    public void AMonitorThatIsNotThere_IsReported_NotThrown()
    {
        QemuMonitor.Send("/nonexistent/monitor.sock", "mce -b 0 9 0xbd000000000000c0 0x5 0x100218000 0x8c")
            .ShouldStartWith("could not send 'mce -b 0 9 0xbd000000000000c0 0x5 0x100218000 0x8c': ");
    }
}
