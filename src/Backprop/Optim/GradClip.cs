using System.Numerics.Tensors;
using Backprop.NN;

namespace Backprop.Optim;

/// <summary>Gradient clipping, like torch.nn.utils.clip_grad_norm_ and clip_grad_value_.</summary>
public static class GradClip
{
    /// <summary>
    /// Scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the L2 norm of all
    /// gradients together, and returns ‖g‖ before clipping.
    /// </summary>
    /// <param name="parameters">The parameters whose gradients to clip.</param>
    /// <param name="maxNorm">The largest allowed global norm; positive.</param>
    /// <returns>The global norm before clipping.</returns>
    public static float ClipGradNorm(IEnumerable<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "ClipGradNorm: the maximum norm must be positive.");
        }

        // The storage, not the Grad tensors: making those would make every later ZeroGrad clear eagerly.
        var grads = parameters.Select(p => p.GradData).OfType<float[]>().ToList();
        double sumSquares = 0;
        foreach (var g in grads)
        {
            sumSquares += TensorPrimitives.SumOfSquares(g);
        }

        var norm = (float)Math.Sqrt(sumSquares);
        var scale = maxNorm / (norm + 1e-6f);
        if (scale < 1f)
        {
            foreach (var g in grads)
            {
                TensorPrimitives.Multiply(g, scale, g);
            }
        }

        return norm;
    }

    /// <summary>Limits every gradient element to [−clipValue, clipValue], in place.</summary>
    /// <param name="parameters">The parameters whose gradients to clip.</param>
    /// <param name="clipValue">The largest allowed magnitude; positive.</param>
    public static void ClipGradValue(IEnumerable<Parameter> parameters, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue > 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "ClipGradValue: the clip value must be positive.");
        }

        foreach (var p in parameters)
        {
            if (p.GradData is { } g)
            {
                TensorPrimitives.Clamp(g, -clipValue, clipValue, g);
            }
        }
    }
}
