using System.Diagnostics;

namespace DaxHolder.Tests.Reports;

/// <summary>
/// A fact that needs a headless Chromium: skipped, saying so, when none is installed
/// (DAXHOLDER_CHROMIUM names the binary; else chromium, chromium-headless-shell,
/// chromium-browser or google-chrome on PATH; Debian's package is chromium).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Binary is null)
        {
            Skip = "not run: Chromium is not installed (apt-get install chromium, or set DAXHOLDER_CHROMIUM)";
        }
    }
}

/// <summary>Runs the installed Chromium headless, time-boxed.</summary>
public static class Chromium
{
    private static readonly Lazy<string?> Found = new(Find);

    /// <summary>The Chromium binary, or null when there is none.</summary>
    public static string? Binary => Found.Value;

    /// <summary>Runs Chromium headless with <paramref name="arguments"/>; its exit code, standard output and standard error.</summary>
    public static (int Exit, string Out, string Err) Run(TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(Binary ?? throw new InvalidOperationException("no Chromium"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-dev-shm-usage", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Chromium did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Chromium ran past {timeout.TotalSeconds} s: {string.Join(' ', arguments)}");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("DAXHOLDER_CHROMIUM") is { Length: > 0 } named)
        {
            return File.Exists(named) ? named : null;
        }

        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        string[] names = ["chromium", "chromium-headless-shell", "chromium-browser", "google-chrome"];
        return names.SelectMany(n => path.Select(dir => Path.Combine(dir, n))).FirstOrDefault(File.Exists);
    }
}
