namespace DaxHolder.PluginLoading;

/// <summary>The simple names of the assemblies the .NET runtime provides (the trusted platform assemblies).</summary>
internal static class RuntimeAssemblies
{
    private static readonly HashSet<string> Names = Load();

    public static bool Contains(string simpleName) => Names.Contains(simpleName);

    private static HashSet<string> Load()
    {
        var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        return list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
    }
}
