namespace DaxHolder.PluginLoading;

/// <summary>A directory to look for plugins in, and what named it (for error messages).</summary>
/// <param name="Directory">The directory: a plugin folder itself, or a folder of plugin folders.</param>
/// <param name="Origin">Where it came from: "plugins beside daxholder", "--plugins", or the environment variable.</param>
/// <param name="MustExist">Whether a missing or empty directory is an error (anything the user named) or normal (the default).</param>
public sealed record PluginSource(string Directory, string Origin, bool MustExist)
{
    /// <summary>The environment variable listing plugin directories, separated by the platform's path separator.</summary>
    public const string EnvironmentVariable = "DAXHOLDER_PLUGINS";

    /// <summary>
    /// The sources in search order: <c>plugins/</c> beside the host, then the environment
    /// variable's entries, then each <c>--plugins DIR</c> in the order given.
    /// </summary>
    public static IReadOnlyList<PluginSource> Resolve(string hostDirectory, string? environmentValue, IEnumerable<string> commandLine)
    {
        var sources = new List<PluginSource> { new(Path.Combine(hostDirectory, "plugins"), "plugins beside daxholder", MustExist: false) };
        foreach (var dir in (environmentValue ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            sources.Add(new(Path.GetFullPath(dir), EnvironmentVariable, MustExist: true));
        }

        foreach (var dir in commandLine)
        {
            sources.Add(new(Path.GetFullPath(dir), "--plugins", MustExist: true));
        }

        return sources;
    }
}
