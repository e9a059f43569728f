using System.Diagnostics;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>What a host command printed and returned.</summary>
internal sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public bool Ok => ExitCode == 0;
}

/// <summary>Runs host commands (apt-get, dpkg, gcc, cpio, QEMU) without a shell unless asked for one.</summary>
internal static class HostProcess
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> to completion.</summary>
    public static ProcessResult Run(string file, IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["LC_ALL"] = "C";
        using var process = Process.Start(info) ?? throw new OracleException($"cannot start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(20)))
        {
            process.Kill(entireProcessTree: true);
            throw new OracleException($"{file} {string.Join(' ', args)} did not finish in time");
        }

        return new ProcessResult(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Runs a shell pipeline with /bin/sh -c.</summary>
    public static ProcessResult Shell(string script, string? workingDirectory = null) => Run("/bin/sh", ["-c", script], workingDirectory);

    /// <summary>Runs and throws <see cref="OracleException"/> with <paramref name="what"/> and the command's stderr when it fails.</summary>
    public static string Check(string what, string file, IEnumerable<string> args, string? workingDirectory = null)
    {
        var list = args.ToList();
        var r = Run(file, list, workingDirectory);
        if (!r.Ok)
        {
            throw new OracleException($"{what} failed ({file} {string.Join(' ', list)} exited {r.ExitCode}): {Tail(r.Error + r.Output)}");
        }

        return r.Output;
    }

    /// <summary>Whether <paramref name="command"/> is on PATH (or is an existing path).</summary>
    public static bool OnPath(string command)
    {
        if (command.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(command);
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Concat(["/usr/sbin", "/sbin"])
            .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, command)));
    }

    /// <summary>The full path of <paramref name="command"/> on PATH (or sbin), or null.</summary>
    public static string? Which(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Concat(["/usr/sbin", "/sbin"])
            .Where(d => d.Length > 0).Select(d => Path.Combine(d, command)).FirstOrDefault(File.Exists);

    private static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.TakeLast(5));
    }
}
