namespace Backprop.Cli.Models;

/// <summary>The built-in models of <c>train --model</c>, written in the model file format for 28×28 grey images with 10 classes.</summary>
internal static class ModelPresets
{
    /// <summary>The presets by name.</summary>
    public static readonly IReadOnlyDictionary<string, string> Texts = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["mlp"] = """
            # The default MLP: 784-256-128-10 with ReLU.
            Linear(784, 256)
            ReLU()
            Linear(256, 128)
            ReLU()
            Linear(128, 10)
            """,
        ["cnn"] = """
            # PyTorch's MNIST example network (W7 of the benchmarks).
            Unflatten(1, (1, 28, 28))
            Conv2d(1, 32, kernel_size=3)
            ReLU()
            Conv2d(32, 64, kernel_size=3)
            ReLU()
            MaxPool2d(2)
            Dropout(0.25)
            Flatten()
            Linear(9216, 128)
            ReLU()
            Dropout(0.5)
            Linear(128, 10)
            """,
        ["lenet5"] = """
            # LeCun et al. 1998, with max pooling and ReLU as it is usually trained today.
            Unflatten(1, (1, 28, 28))
            Conv2d(1, 6, kernel_size=5, padding=2)
            ReLU()
            MaxPool2d(2)
            Conv2d(6, 16, kernel_size=5)
            ReLU()
            MaxPool2d(2)
            Flatten()
            Linear(400, 120)
            ReLU()
            Linear(120, 84)
            ReLU()
            Linear(84, 10)
            """,
        ["resnet-mini"] = """
            # A small residual network: a 3x3 stem, three residual blocks with batch norm (the last two halve
            # the size and double the channels, their shortcuts a strided 1x1 convolution), global average pooling.
            Unflatten(1, (1, 28, 28))
            Conv2d(1, 16, kernel_size=3, padding=1, bias=False)
            BatchNorm2d(16)
            ReLU()
            Residual(
                Conv2d(16, 16, kernel_size=3, padding=1, bias=False)
                BatchNorm2d(16)
                ReLU()
                Conv2d(16, 16, kernel_size=3, padding=1, bias=False)
                BatchNorm2d(16)
            )
            ReLU()
            Residual(
                Conv2d(16, 32, kernel_size=3, stride=2, padding=1, bias=False)
                BatchNorm2d(32)
                ReLU()
                Conv2d(32, 32, kernel_size=3, padding=1, bias=False)
                BatchNorm2d(32)
            shortcut:
                Conv2d(16, 32, kernel_size=1, stride=2, bias=False)
                BatchNorm2d(32)
            )
            ReLU()
            Residual(
                Conv2d(32, 64, kernel_size=3, stride=2, padding=1, bias=False)
                BatchNorm2d(64)
                ReLU()
                Conv2d(64, 64, kernel_size=3, padding=1, bias=False)
                BatchNorm2d(64)
            shortcut:
                Conv2d(32, 64, kernel_size=1, stride=2, bias=False)
                BatchNorm2d(64)
            )
            ReLU()
            AdaptiveAvgPool2d(1)
            Flatten()
            Linear(64, 10)
            """,
    };

    /// <summary>
    /// The training options a preset is trained with when the command line does not give them (measured on
    /// MNIST, docs/training.md): the CNNs want Adam and smaller batches, not the MLP's SGD defaults.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, TrainingRecipe> Recipes = new Dictionary<string, TrainingRecipe>(StringComparer.Ordinal)
    {
        ["cnn"] = new("adam", 0.003f, 64, 3, Augment: true),
        ["lenet5"] = new("adam", 0.002f, 64, 6, Augment: true),
        ["resnet-mini"] = new("adam", 0.002f, 64, 5, Augment: false),
    };

    /// <summary>
    /// The spec <paramref name="model"/> names: a preset, or a model file's path. An unknown name that is no
    /// file gets the list of presets.
    /// </summary>
    public static NetworkSpec Resolve(string model)
    {
        if (Texts.TryGetValue(model, out var text))
        {
            return NetworkSpec.Parse(model, text, $"preset {model}");
        }

        if (!File.Exists(model))
        {
            throw new ArgumentException($"--model {model}: not a preset ({string.Join(", ", Texts.Keys)}) and no such file.");
        }

        return NetworkSpec.Parse(Path.GetFileNameWithoutExtension(model), File.ReadAllText(model), model);
    }
}
