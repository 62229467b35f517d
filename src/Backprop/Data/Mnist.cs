using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop.Data;

/// <summary>The MNIST handwritten digits, read from the four IDX files (plain or .gz) in a directory.</summary>
public static class Mnist
{
    /// <summary>The number of classes.</summary>
    public const int Classes = 10;

    /// <summary>
    /// Loads the training (60,000) or test (10,000) set: inputs [N, 784] scaled to [0, 1], targets [N]
    /// holding the digit as an int64 class index.
    /// </summary>
    /// <param name="directory">The directory holding train-images-idx3-ubyte(.gz) and the others.</param>
    /// <param name="train">True for the training set, false for the test set.</param>
    /// <returns>The dataset.</returns>
    public static TensorDataset Load(string directory, bool train)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var prefix = train ? "train" : "t10k";
        var imagesPath = Find(directory, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Find(directory, $"{prefix}-labels-idx1-ubyte");
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Dims.Count != 3)
        {
            throw new DataFileException(imagesPath, 3, $"expected 3 dimensions (count, rows, columns), found {images.Dims.Count}.");
        }

        if (labels.Dims.Count != 1 || labels.Dims[0] != images.Dims[0])
        {
            throw new DataFileException(labelsPath, 4, $"expected {images.Dims[0]} labels to match the images, found dimensions [{string.Join(',', labels.Dims)}].");
        }

        var n = images.Dims[0];
        var features = images.Dims[1] * images.Dims[2];
        // Pixels to [0, 1] on every thread: 47 million of them for the training set, which start-up waits for.
        var x = GC.AllocateUninitializedArray<float>(images.Data.Length);
        WorkSplitter.For(x.Length, WorkSplitter.ElementwiseMinimum, (images.Data, x), static (state, start, length) =>
        {
            var scaled = state.x.AsSpan(start, length);
            TensorPrimitives.ConvertTruncating(state.Data.Span.Slice(start, length), scaled);
            TensorPrimitives.Multiply(scaled, 1f / 255f, scaled);
        });

        var labelBytes = labels.Data.Span;
        var y = new long[n];
        for (var i = 0; i < n; i++)
        {
            if (labelBytes[i] >= Classes)
            {
                throw new DataFileException(labelsPath, 8 + i, $"expected a digit label 0-9, found {labelBytes[i]}.");
            }

            y[i] = labelBytes[i];
        }

        return new TensorDataset(Tensor.Wrap(x, [n, features]), Tensor.Wrap(y, [n]));
    }

    private static string Find(string directory, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"MNIST: neither {name} nor {name}.gz is in '{directory}'.", Path.Combine(directory, name));
    }
}
