using Backprop.Cli.Training;
using Backprop.Data;

namespace Backprop.Tests.Cli;

/// <summary>train --augment's random shifts and rotations.</summary>
public class AugmentationTests
{
    [Fact]
    public void ImagesMoveButKeepTheirInkAndTheDrawIsReproducible()
    {
        var images = Mnist.Load(TrainingData.DefaultMnistDirectory(), train: false).Take(16).Inputs;
        var a = Augmentation.Apply(images, 1, 0, 0);
        var again = Augmentation.Apply(images, 1, 0, 0);
        var next = Augmentation.Apply(images, 1, 0, 1);
        Assert.Equal(images.Shape, a.Shape);
        Assert.Equal(a.ToArray(), again.ToArray());
        Assert.NotEqual(a.ToArray(), next.ToArray());
        var before = images.ToArray();
        var after = a.ToArray();
        for (var n = 0; n < 16; n++)
        {
            var ink = before.AsSpan(n * 784, 784).ToArray().Sum();
            var moved = after.AsSpan(n * 784, 784).ToArray().Sum();
            var changed = Enumerable.Range(0, 784).Count(i => Math.Abs(before[(n * 784) + i] - after[(n * 784) + i]) > 0.1f);
            Assert.InRange(moved, ink * 0.93f, ink * 1.07f);   // MNIST digits sit in the middle 20×20: 2 pixels and 10° keep them inside
            Assert.True(changed > 10, $"image {n}: only {changed} pixels changed");
        }

        Assert.True(Augmentation.IsSquare(784));
        Assert.False(Augmentation.IsSquare(13));
    }
}
