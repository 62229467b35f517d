namespace Backprop.Autograd;

/// <summary>Whether operations on this thread record the graph for backward.</summary>
internal static class GradMode
{
    [ThreadStatic]
    private static int t_disabledDepth;

    /// <summary>True unless inside a <see cref="NoGradScope"/>.</summary>
    public static bool IsEnabled => t_disabledDepth == 0;

    public static void Disable() => t_disabledDepth++;

    public static void Restore() => t_disabledDepth--;
}
