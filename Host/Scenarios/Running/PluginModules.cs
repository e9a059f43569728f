using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Modules;
using DaxHolder.PluginLoading;

namespace DaxHolder.Scenarios.Running;

/// <summary>Where plugin loading meets the kernel model: the loaded plugins become a machine's modules.</summary>
internal static class PluginModules
{
    /// <summary>The catalog's plugins as kernel modules: each one's declared identity and registrations.</summary>
    public static IReadOnlyList<KernelModule> Of(PluginCatalog catalog) =>
        [.. catalog.Plugins.Select(p => new KernelModule(new ModuleIdentity(p.Name, p.Version), p.Registrations))];

    /// <summary>A fresh machine running <paramref name="profile"/> with every loaded plugin as a module.</summary>
    public static Machine Boot(PluginCatalog catalog, KernelProfile profile) => Machine.Boot(profile, Of(catalog));
}
