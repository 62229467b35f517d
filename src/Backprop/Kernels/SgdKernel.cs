using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>The SGD-with-momentum update as one pass over the parameter, its gradient and its momentum buffer.</summary>
internal static class SgdKernel
{
    /// <summary>
    /// g = grad + wd·p; buf = first ? g : μ·buf + (1 − dampening)·g; p −= lr·(nesterov ? g + μ·buf : buf).
    /// </summary>
    public static void Update(Span<float> param, ReadOnlySpan<float> grad, Span<float> buffer, float lr, float momentum, float dampening, float weightDecay, bool nesterov, bool first)
    {
        var keep = first ? 0f : momentum;
        var scale = first ? 1f : 1f - dampening;
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vWd = Vector512.Create(weightDecay);
            var vKeep = Vector512.Create(keep);
            var vScale = Vector512.Create(scale);
            var vMomentum = Vector512.Create(momentum);
            var vLr = Vector512.Create(-lr);
            for (; i <= param.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var p = Vector512.Create(param.Slice(i, Vector512<float>.Count));
                var g = Vector512.FusedMultiplyAdd(vWd, p, Vector512.Create(grad.Slice(i, Vector512<float>.Count)));
                var b = Vector512.FusedMultiplyAdd(vKeep, Vector512.Create(buffer.Slice(i, Vector512<float>.Count)), vScale * g);
                b.CopyTo(buffer.Slice(i));
                var step = nesterov ? Vector512.FusedMultiplyAdd(vMomentum, b, g) : b;
                Vector512.FusedMultiplyAdd(vLr, step, p).CopyTo(param.Slice(i));
            }
        }

        for (; i < param.Length; i++)
        {
            var g = grad[i] + (weightDecay * param[i]);
            var b = (keep * buffer[i]) + (scale * g);
            buffer[i] = b;
            param[i] -= lr * (nesterov ? g + (momentum * b) : b);
        }
    }
}
