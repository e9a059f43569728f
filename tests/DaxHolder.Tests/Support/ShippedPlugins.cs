using DaxHolder.Abstractions.Fs;
using DaxHolder.Host.PluginLoading;
using DaxHolder.Tests.PluginLoading;

namespace DaxHolder.Tests.Support;

/// <summary>
/// The shipped plugins, loaded once for the test run as daxholder loads them, shared by the XFS,
/// ext4 and EROFS test machines.
/// </summary>
internal static class ShippedPlugins
{
    private static readonly Lazy<PluginCatalog> Catalog = new(() => PluginLoader.Load(Sources.ShippedAnd()));

    /// <summary>The shipped filesystem type called <paramref name="name"/>; throws if its plugin did not load.</summary>
    public static IFileSystemType Type(string name, string plugin) =>
        Catalog.Value.FindFileSystemType(name) ?? throw new InvalidOperationException($"the shipped {plugin} plugin did not load");
}
