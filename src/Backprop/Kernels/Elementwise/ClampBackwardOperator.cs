using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>The backward of clamping to [low, high]: d = g where low ≤ x ≤ high, else 0; Invoke(x, g).</summary>
/// <param name="low">The lower bound.</param>
/// <param name="high">The upper bound.</param>
internal readonly struct ClampBackwardOperator(float low, float high) : IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float g) => x >= low && x <= high ? g : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> g) =>
        Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(x, Vector128.Create(low)) & Vector128.LessThanOrEqual(x, Vector128.Create(high)), g, Vector128<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) =>
        Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256.Create(low)) & Vector256.LessThanOrEqual(x, Vector256.Create(high)), g, Vector256<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) =>
        Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512.Create(low)) & Vector512.LessThanOrEqual(x, Vector512.Create(high)), g, Vector512<float>.Zero);
}
