using Backprop.NN;

namespace Backprop.Cli.Models;

/// <summary>The built-in models of <c>train --model</c>.</summary>
internal static class ModelPresets
{
    /// <summary>Builds preset <paramref name="name"/>.</summary>
    public static Sequential Build(string name, Generator generator) => name switch
    {
        "cnn" => new Sequential(
            new Conv2d(1, 32, 3, generator: generator), new ReLU(),
            new Conv2d(32, 64, 3, generator: generator), new ReLU(),
            new MaxPool2d(2), new Dropout(0.25f, generator), new Flatten(),
            new Linear(9216, 128, generator: generator), new ReLU(), new Dropout(0.5f, generator),
            new Linear(128, 10, generator: generator)),
        _ => throw new ArgumentException($"--model: '{name}' is not a preset."),
    };
}
