namespace Backprop.NN;

/// <summary>Mode switches that return the module in its own type, so that model.Eval().Forward(x) chains as in PyTorch.</summary>
public static class ModuleExtensions
{
    /// <summary>Switches a module and its descendants to training (or evaluation) mode.</summary>
    /// <typeparam name="T">The module's type.</typeparam>
    /// <param name="module">The module.</param>
    /// <param name="mode">True for training.</param>
    /// <returns>The module.</returns>
    public static T Train<T>(this T module, bool mode = true)
        where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        module.SetTraining(mode);
        return module;
    }

    /// <summary>Switches a module and its descendants to evaluation mode (Dropout off, BatchNorm on its running statistics).</summary>
    /// <typeparam name="T">The module's type.</typeparam>
    /// <param name="module">The module.</param>
    /// <returns>The module.</returns>
    public static T Eval<T>(this T module)
        where T : Module => module.Train(false);
}
