using System.Net.Sockets;
using System.Text;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// The QEMU human monitor, for what only the host can do to the guest: a machine check
/// (<c>mce CPU BANK STATUS MCG_STATUS ADDR MISC</c>, target/i386/monitor.c) that the guest asks
/// for with a console line <c>ORACLE-HOSTCMD: &lt;command&gt;</c>. Only <c>mce</c> commands are sent.
/// </summary>
internal static class QemuMonitor
{
    /// <summary>The console prefix of a request from the guest.</summary>
    public const string Request = "ORACLE-HOSTCMD: ";

    /// <summary>Sends one command; returns what was sent and the monitor's answer (or the error).</summary>
    public static string Send(string socketPath, string command)
    {
        if (!command.StartsWith("mce ", StringComparison.Ordinal) || command.Any(c => c is '\n' or '\r' or ';'))
        {
            return $"refused '{command}': only mce commands are sent";
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            socket.ReceiveTimeout = 1000;
            Drain(socket);
            socket.Send(Encoding.ASCII.GetBytes(command + "\n"));
            Thread.Sleep(300);
            var answer = Drain(socket).Replace("\r", "", StringComparison.Ordinal).Split('\n')
                .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.Contains('\u001b', StringComparison.Ordinal) && !l.StartsWith("(qemu)", StringComparison.Ordinal) && !l.StartsWith("QEMU ", StringComparison.Ordinal) && l != command);
            return $"sent '{command}'{string.Concat(answer.Select(a => " | " + a))}";
        }
        catch (Exception e) when (e is SocketException or ArgumentException or IOException or ObjectDisposedException)
        {
            // Called from QEMU's output handler: an exception here would end the whole process.
            return $"could not send '{command}': {e.Message}";
        }
    }

    private static string Drain(Socket socket)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            Thread.Sleep(100);
            while (socket.Available > 0)
            {
                var n = socket.Receive(buffer);
                if (n <= 0)
                {
                    break;
                }

                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
                Thread.Sleep(50);
            }
        }
        catch (SocketException)
        {
        }

        return text.ToString();
    }
}
