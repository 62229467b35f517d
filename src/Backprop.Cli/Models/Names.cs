namespace Backprop.Cli.Models;

/// <summary>
/// The one table of the activation and loss names every command accepts (train, eval, explain, graph, model
/// files): lower case, words joined by '-'; '_' and the run-together spelling ("leakyrelu") are accepted too.
/// </summary>
internal static class Names
{
    /// <summary>The hidden activations, in the order help lists them.</summary>
    public static readonly string[] Activations = ["relu", "leaky-relu", "sigmoid", "tanh", "gelu"];

    /// <summary>The layer (PyTorch's class name, as model files spell it) of each activation.</summary>
    private static readonly string[] ActivationLayers = ["ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU"];

    /// <summary>The losses, in the order help lists them.</summary>
    public static readonly string[] Losses = ["cross-entropy", "mse", "half-squared"];

    /// <summary>The canonical activation name for <paramref name="text"/>, or an error naming the choices.</summary>
    public static string Activation(string? text) => Pick("--activation", text, Activations);

    /// <summary>The canonical loss name for <paramref name="text"/>, or an error naming the choices.</summary>
    public static string Loss(string? text) => Pick("--loss", text, Losses);

    /// <summary>The layer name (ReLU, LeakyReLU, …) of an activation name.</summary>
    public static string ActivationLayer(string? text) => ActivationLayers[Array.IndexOf(Activations, Activation(text))];

    private static string Pick(string option, string? text, string[] choices)
    {
        var name = (text ?? string.Empty).Trim().ToLowerInvariant().Replace('_', '-');
        foreach (var choice in choices)
        {
            if (name == choice || name == choice.Replace("-", string.Empty, StringComparison.Ordinal))
            {
                return choice;
            }
        }

        throw new ArgumentException($"{option}: '{text}' is not one of {string.Join(", ", choices)}.");
    }
}
